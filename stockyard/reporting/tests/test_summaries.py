"""The summaries: kept by the services, rebuilt by a command, and the reports read from
them equal to the documents. Sales (days in the business's zone, UTC hours) after
cancels, closes and returns, in several zones and with the business in two; purchases
after cancels, receipts in steps, closes and returns to the supplier; fulfillment with
orders shipped in parts across days and weeks, late, and never on time."""

import importlib
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.migrations import RunSQL

from stockyard.catalog.tests.factories import ExchangeRateFactory
from stockyard.core.testing import assert_problem
from stockyard.inventory.tests.factories import put_stock
from stockyard.partners.tests.factories import SupplierFactory
from stockyard.purchasing import services as purchasing
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.models import PurchaseOrder
from stockyard.reporting import summaries
from stockyard.reporting.enums import TimeBucket
from stockyard.reporting.models import (
    FulfillmentDay,
    PurchaseDate,
    PurchaseDay,
    PurchaseMeasures,
    PurchaseProductBlock,
    PurchaseSupplierBlock,
    SalesCustomerBlock,
    SalesDay,
    SalesHour,
    SalesMeasures,
    SalesProductBlock,
    SummaryBuild,
)
from stockyard.reporting.summaries import (
    FULFILLMENT,
    NEVER_ON_TIME,
    PURCHASES,
    SALES,
    buckets_start_on_utc_hours,
)
from stockyard.reporting.tests.factories import bought, line, report_body, shipped, sold, utc
from stockyard.sales import returns
from stockyard.sales import services as sales
from stockyard.sales.enums import ReturnStatus, SalesOrderStatus
from stockyard.sales.models import CustomerReturnLine, SalesOrder, SalesOrderLine
from stockyard.sales.returns import ReturnLineInput
from stockyard.shipping import services as shipping
from stockyard.shipping.models import Shipment
from stockyard.shipping.services import ShipmentLineInput

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]  # summaries are kept on PostgreSQL only

PERIOD = {"date_from": "2026-10-30", "date_to": "2026-11-30"}
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham")
CENT = Decimal("0.01")


@pytest.fixture(autouse=True)
def business(request, settings):
    """The business's zone, ``TIME_ZONE``, while the history is made (``UTC`` unless a
    test parametrizes it)."""
    settings.TIME_ZONE = getattr(request, "param", "UTC")
    return settings.TIME_ZONE


BUSINESSES = pytest.mark.parametrize("business", ["UTC", "Asia/Kolkata"], indirect=True)


@pytest.fixture
def history(warehouse, other_warehouse, widget, gadget, customers):
    """Orders around day boundaries of several zones, in two warehouses and currencies;
    then cancelled, closed after a partial shipment, shipped and returned."""
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.1"), valid_from=date(2026, 1, 1))
    put_stock(gadget, other_warehouse, 1000, unit_cost="12.50")
    when = [
        utc(2026, 10, 31, 22, 30),  # Nov 1 in Berlin, Oct 31 in New York
        utc(2026, 11, 1, 4, 10),
        utc(2026, 11, 2, 18, 40),  # Nov 3 in Kolkata (+05:30) and Chatham (+13:45)
        utc(2026, 11, 2, 23, 59),
        utc(2026, 11, 9, 0, 0),
        utc(2026, 11, 15, 12, 5),
        utc(2026, 11, 30, 23, 10),  # Dec 1 in Berlin: outside the period there
    ]
    orders = [
        sold(
            moment,
            line(widget, 3 * (1 + index), "10.00", discount_percent="10", tax_rate="20"),
            line(gadget, 3, "25.00"),
            customer=customers[index % 2],
            warehouse=(warehouse, other_warehouse)[index % 3 == 2],
            currency="EUR" if index % 3 == 1 else None,
        )
        for index, moment in enumerate(when)
    ]
    # The same hour as the first: two orders share a summary row; three lines of one
    # product: the order counts once for it
    orders.append(
        sold(
            utc(2026, 10, 31, 22, 50),
            line(widget, 2, "10.00"),
            line(widget, 1, "9.00"),
            line(widget, 4, "10.00", discount_percent="5"),
            customer=customers[1],
            warehouse=warehouse,
        )
    )
    sales.sales_order_cancel(order=orders[1], user=None)
    shipped(orders[2], utc(2026, 11, 4, 9), share=Decimal(1) / 3)
    sales.sales_order_close(order=SalesOrder.objects.get(pk=orders[2].pk), user=None)
    shipped(orders[0], utc(2026, 11, 1, 9))
    shipped(orders[7], utc(2026, 11, 1, 9))
    for order, moment in ((orders[0], utc(2026, 11, 5, 23, 30)), (orders[7], utc(2026, 11, 12, 7))):
        widget_line = order.lines.filter(product=widget).first()
        with time_machine.travel(moment, tick=False):
            returns.customer_return_receive(
                customer_return=returns.customer_return_request(
                    sales_order=order, lines=[ReturnLineInput(widget_line, Decimal(1))], user=None
                ),
                user=None,
            )
    returns.customer_return_request(  # requested only: counts nowhere
        sales_order=orders[0],
        lines=[ReturnLineInput(orders[0].lines.get(product=widget), Decimal(1))],
        user=None,
    )
    return orders


def _documents(zone: str, **filters: object) -> dict[str, object]:
    """The period's totals added up in Python from the orders, lines and returns."""
    first, last = (date.fromisoformat(PERIOD[name]) for name in ("date_from", "date_to"))
    return _sales_per(zone, first, last, lambda order, item: "all", **filters).get(
        "all", {"orders": 0, "quantity": "0.000", "revenue": "0.00"}
    )


def _sales_per(
    zone: str,
    first: date,
    last: date,
    of: Callable[[SalesOrder, SalesOrderLine], object],
    **filters: object,
) -> dict[object, dict[str, object]]:
    """Sales of ``first`` to ``last`` in ``zone`` added up in Python from the orders,
    lines and returns, per what ``of`` a line says (its product, its order's customer),
    orders counted once per row."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time.min, tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tz)

    def wanted(order: SalesOrder) -> bool:
        return all(getattr(order, name) == value for name, value in filters.items())

    rows: defaultdict[object, dict] = defaultdict(
        lambda: {"orders": set(), "quantity": Decimal(0), "revenue": Decimal(0)}
    )
    for order in SalesOrder.objects.prefetch_related("lines"):
        confirmed = order.confirmed_at
        if order.status == SalesOrderStatus.CANCELLED or confirmed is None:
            continue
        if not (start <= confirmed < end and wanted(order)):
            continue
        for item in order.lines.all():
            sold_quantity = item.quantity - item.quantity_cancelled
            line_revenue = item.line_subtotal - item.line_discount
            if item.quantity_cancelled:
                line_revenue = (line_revenue * sold_quantity / item.quantity).quantize(
                    CENT, ROUND_HALF_UP
                )
            row = rows[of(order, item)]
            row["orders"].add(order.pk)
            row["quantity"] += sold_quantity
            row["revenue"] += line_revenue * order.exchange_rate
    for returned in CustomerReturnLine.objects.select_related(
        "customer_return", "sales_order_line__order"
    ):
        order = returned.sales_order_line.order
        received = returned.customer_return.received_at
        if returned.customer_return.status != ReturnStatus.RECEIVED or not wanted(order):
            continue
        if received is not None and start <= received < end:
            row = rows[of(order, returned.sales_order_line)]
            row["quantity"] -= returned.quantity
            row["revenue"] -= (returned.refund_amount - returned.refund_tax) * order.exchange_rate
    return {
        key: {
            "orders": len(row["orders"]),
            "quantity": f"{row['quantity']:.3f}",
            "revenue": str(row["revenue"].quantize(CENT, ROUND_HALF_UP)),
        }
        for key, row in rows.items()
    }


@BUSINESSES
@pytest.mark.parametrize("zone", ZONES)
def test_reports_from_the_summary_equal_the_documents(manager, history, warehouse, zone):
    call_command("rebuild_report_summaries")
    variants = [
        {},
        {"warehouse": warehouse.pk},
        {"currency": "EUR"},
    ]
    for filters in variants:
        for group_by in ("day", "week", "month"):
            params = {**PERIOD, "tz": zone, "group_by": group_by, **filters}
            from_summary = report_body(manager, "sales", **params)
            assert from_summary == _from_documents(manager, **params), (filters, group_by)
        documents = _documents(
            zone,
            **({"warehouse_id": warehouse.pk} if "warehouse" in filters else {}),
            **({"currency": "EUR"} if "currency" in filters else {}),
        )
        totals = from_summary["totals"]
        assert {name: totals[name] for name in documents} == documents, filters
    assert _documents(zone)["orders"] in (6, 7)  # the cancelled order never counts


def _from_documents(client, **params):
    """The report as it reads without a summary."""
    build = SummaryBuild.objects.filter(name=SALES)
    (kept,) = build.values()
    build.delete()
    try:
        return report_body(client, "sales", **params)
    finally:
        SummaryBuild.objects.create(**kept)


@BUSINESSES
def test_the_business_zone_reads_the_days_other_zones_the_hours(manager, business, history):
    call_command("rebuild_report_summaries")
    SalesHour.objects.all().delete()
    in_business = {**PERIOD, "group_by": "week"}  # tz: the business's zone
    assert report_body(manager, "sales", **in_business) == _from_documents(manager, **in_business)
    assert report_body(manager, "sales", tz="Europe/Berlin", **PERIOD)["totals"]["orders"] == 0


def test_after_time_zone_changes_the_hours_answer_until_a_rebuild(manager, settings, history):
    """Days built in UTC are not days of Asia/Tokyo: the report reads the hours (or the
    documents, in a zone of half hours) until the command builds days in the new zone."""
    call_command("rebuild_report_summaries")
    for zone in ("Asia/Tokyo", "Asia/Kolkata"):
        settings.TIME_ZONE = zone
        SalesDay.objects.all().delete()  # must not be read: days of another zone
        assert report_body(manager, "sales", **PERIOD) == _from_documents(manager, **PERIOD)
        call_command("rebuild_report_summaries")
        assert SummaryBuild.objects.get(name=SALES).zone == zone
        SalesHour.objects.all().delete()  # the days answer now
        assert report_body(manager, "sales", **PERIOD) == _from_documents(manager, **PERIOD)
        call_command("rebuild_report_summaries")


SALES_KEYS = {
    SalesHour: ("hour", "warehouse", "currency"),
    SalesDay: ("day", "warehouse", "currency"),
    SalesCustomerBlock: ("start", "span", "customer"),
    SalesProductBlock: ("start", "span", "product"),
}


def _summary_rows(model: type[SalesMeasures]) -> set[tuple]:
    """The grain's non-empty rows (a cancel leaves its hour's and day's rows at zero)."""
    measures = ("confirmed_orders", "sold_quantity", "sold_revenue", "returned_quantity")
    keys = SALES_KEYS[model]
    rows = model._default_manager.values_list(*keys, *measures, "returned_revenue")
    return {row for row in rows if any(row[len(keys) :])}


@BUSINESSES
def test_the_services_keep_the_summary_as_a_rebuild_computes_it(history):
    for model in SALES_KEYS:
        kept = _summary_rows(model)
        assert kept  # written by confirm, cancel, close and return receipts
        call_command("rebuild_report_summaries")
        assert _summary_rows(model) == kept, model
        call_command("rebuild_report_summaries")  # idempotent
        assert _summary_rows(model) == kept, model


@BUSINESSES
def test_orders_count_in_their_confirmation_hour_and_day_so_they_add_up(business, history):
    counted = SalesOrder.objects.exclude(status=SalesOrderStatus.CANCELLED).exclude(
        confirmed_at=None
    )
    zone = ZoneInfo(business)
    days = Counter()  # == ignores days at zero (only returns, or cancelled)
    for row in SalesDay.objects.all():
        days[row.day] += row.confirmed_orders
    assert days == Counter(order.confirmed_at.astimezone(zone).date() for order in counted)
    assert sum(row.confirmed_orders for row in SalesHour.objects.all()) == counted.count() == 7
    # per product, each block of a span holds each order with the product once
    pairs = Counter(
        product for order in counted for product in {item.product_id for item in order.lines.all()}
    )
    for span in range(6):
        blocks = Counter()
        for row in SalesProductBlock.objects.filter(span=span):
            blocks[row.product_id] += row.confirmed_orders
        assert blocks == pairs, span


GROUPED_PERIODS = [
    PERIOD,  # two days of October, then the whole of November
    {"date_from": "2026-11-02", "date_to": "2026-11-12"},  # within a month: small blocks
    {"date_from": "2025-12-02", "date_to": "2026-12-01"},  # a year up to a month's first day
]


def _measures(rows: list[dict]) -> dict[object, dict[str, object]]:
    return {
        row["key"]: {name: row[name] for name in ("orders", "quantity", "revenue")} for row in rows
    }


@BUSINESSES
def test_product_and_customer_rows_from_the_blocks_equal_the_documents(
    manager, business, history, widget, customers
):
    """Per product (an order with three lines of the widget counts once for it) and per
    customer, over periods of whole months and blocks: the rows and totals equal the
    report read from the documents and the figures added up in Python; filtered by the
    object grouped, and by what the blocks do not keep (read from the documents)."""
    call_command("rebuild_report_summaries")
    groups = {
        "product": (widget.pk, lambda order, item: item.product_id),
        "customer": (customers[1].pk, lambda order, item: order.customer_id),
    }
    for period in GROUPED_PERIODS:
        first, last = (date.fromisoformat(period[name]) for name in ("date_from", "date_to"))
        totals = _sales_per(business, first, last, lambda order, item: "all")["all"]
        for group_by, (one, of) in groups.items():
            params = {**period, "group_by": group_by}
            body = report_body(manager, "sales", **params)
            assert body == _from_documents(manager, **params), params
            assert _measures(body["rows"]) == _sales_per(business, first, last, of), params
            assert {name: body["totals"][name] for name in totals} == totals, params
            warehouse = history[0].warehouse_id
            for narrowing in ({group_by: one}, {"warehouse": warehouse}, {"currency": "EUR"}):
                narrowed = {**params, **narrowing}
                assert report_body(manager, "sales", **narrowed) == _from_documents(
                    manager, **narrowed
                ), narrowed


@BUSINESSES
def test_grouped_rows_read_the_blocks_in_the_business_zone(manager, business, history):
    call_command("rebuild_report_summaries")
    SalesProductBlock.objects.all().delete()
    SalesCustomerBlock.objects.all().delete()
    for group_by in ("product", "customer"):
        assert report_body(manager, "sales", group_by=group_by, **PERIOD)["rows"] == []
        other = {**PERIOD, "group_by": group_by, "tz": "Europe/Berlin"}
        body = report_body(manager, "sales", **other)
        assert body["rows"]
        assert body == _from_documents(manager, **other)


def test_grouped_rows_from_the_blocks_keep_the_row_limit(manager, history, settings):
    """One row per product: beyond ``REPORT_MAX_ROWS`` (two products here) refused as
    every report is, pointing at the files and exports."""
    call_command("rebuild_report_summaries")
    settings.REPORT_MAX_ROWS = 1
    response = manager.get("/api/v1/reports/sales/", {**PERIOD, "group_by": "product"})
    assert_problem(response, 400, "report_too_large")
    assert "exports" in response.json()["detail"]
    settings.REPORT_MAX_ROWS = 2
    assert len(report_body(manager, "sales", group_by="product", **PERIOD)["rows"]) == 2


def test_without_a_build_reports_read_the_documents(manager, history, django_assert_num_queries):
    """An upgraded database before the command has run: the documents answer (the sales
    report's query count: auth 2, the build check, rows and totals of sales and returns
    4, and the transaction's savepoint 2)."""
    with django_assert_num_queries(9):
        body = report_body(manager, "sales", **PERIOD)
    call_command("rebuild_report_summaries")
    # the user (their roles are known by now), the build check, rows and totals of the
    # summary
    with django_assert_num_queries(6):
        assert report_body(manager, "sales", **PERIOD) == body


def test_a_rebuild_marks_the_summary_built_even_without_history(settings, db):
    settings.TIME_ZONE = "Asia/Tokyo"
    call_command("rebuild_report_summaries")
    assert SummaryBuild.objects.get(name=SALES).zone == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("zone", "whole_hours"),
    [
        ("UTC", True),
        ("Europe/Berlin", True),  # +01:00 and +02:00, a change in the period
        ("America/St_Johns", False),  # -03:30
        ("Asia/Kathmandu", False),  # +05:45
        ("Australia/Lord_Howe", False),  # +10:30 in winter
    ],
)
def test_buckets_on_utc_hours_only_in_whole_hour_zones(zone, whole_hours):
    assert (
        buckets_start_on_utc_hours(
            date(2026, 3, 1), date(2026, 11, 30), TimeBucket.DAY, ZoneInfo(zone)
        )
        is whole_hours
    )


# --- purchases ------------------------------------------------------------------------

PURCHASE_PERIOD = {"date_from": "2026-10-15", "date_to": "2026-11-30"}


@pytest.fixture
def suppliers(db):
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.1"), valid_from=date(2026, 1, 1))
    return (
        SupplierFactory(name="Acme"),
        SupplierFactory(name="Bolt", currency="EUR"),
        SupplierFactory(name="Cole"),  # only a cancelled order: no row
    )


@pytest.fixture
def purchase_history(warehouse, other_warehouse, widget, gadget, suppliers):
    """Orders on several dates, in two warehouses and currencies, walked to every status;
    received in two steps, goods returned to a supplier, a line whose received value
    rounds."""
    acme, bolt, cole = suppliers
    orders = [
        bought(utc(2026, 10, 10, 9), [(widget, 10, "4.00")], Status.RECEIVED, supplier=acme),
        bought(  # two lines of the widget: the order counts once for it
            utc(2026, 10, 20, 9),
            [(widget, 10, "4.00"), (widget, 3, "4.20")],
            Status.CLOSED,
            supplier=acme,
        ),
        bought(
            utc(2026, 10, 31, 23),
            [(gadget, 3, "3.3333"), (widget, 5, "4.00")],
            Status.PARTIALLY_RECEIVED,
            supplier=bolt,
            warehouse=other_warehouse,
        ),
        bought(utc(2026, 11, 2, 9), [(widget, 7, "4.10")], Status.SUBMITTED, supplier=bolt),
        bought(utc(2026, 11, 2, 15), [(gadget, 2, "12.50")], Status.RECEIVED, supplier=acme),
        bought(utc(2026, 11, 9, 9), [(widget, 4, "4.00")], Status.CANCELLED, supplier=cole),
        bought(utc(2026, 11, 9, 9), [(widget, 99, "4.00")], Status.DRAFT, supplier=acme),
        bought(utc(2026, 12, 1, 9), [(widget, 6, "4.00")], Status.SUBMITTED, supplier=acme),
    ]
    with time_machine.travel(utc(2026, 11, 20, 9), tick=False):  # tax is spent too
        taxed = purchasing.purchase_order_create(
            supplier=acme,
            warehouse=other_warehouse,
            lines=[purchasing.OrderLine(gadget, Decimal(4), Decimal("10.00"), Decimal("20"))],
            user=None,
        )
        orders.append(purchasing.purchase_order_submit(order=taxed, user=None))
    for order in (orders[2], orders[3], orders[8]):  # receipts after the order's day
        for received in order.lines.all():
            purchasing.purchase_order_receive(
                order=order, lines=[purchasing.LineReceipt(received.pk, Decimal(1))], user=None
            )
    purchasing.purchase_order_close(order=orders[8], user=None)
    first = orders[4].lines.get()
    purchasing.purchase_order_return(
        order=orders[4], lines=[purchasing.LineReceipt(first.pk, Decimal(1))], user=None
    )
    return orders


def _purchase_documents(**filters: object) -> dict[str, object]:
    """The period's purchase totals added up in Python from the orders and lines."""
    first, last = (date.fromisoformat(PURCHASE_PERIOD[name]) for name in ("date_from", "date_to"))
    orders, quantity, received, spend, value = 0, Decimal(0), Decimal(0), Decimal(0), Decimal(0)
    for order in PurchaseOrder.objects.prefetch_related("lines"):
        if (
            order.status in (Status.DRAFT, Status.CANCELLED)
            or not first <= order.order_date <= last
        ):
            continue
        if not all(getattr(order, name) == value for name, value in filters.items()):
            continue
        orders += 1
        for item in order.lines.all():
            quantity += item.quantity
            received += item.quantity_received
            spend += item.line_total * order.exchange_rate
            line_value = (item.quantity_received * item.unit_cost).quantize(CENT, ROUND_HALF_UP)
            value += line_value * order.exchange_rate
    return {
        "orders": orders,
        "quantity": f"{quantity:.3f}",
        "spend": str(spend.quantize(CENT, ROUND_HALF_UP)),
        "quantity_received": f"{received:.3f}",
        "received_value": str(value.quantize(CENT, ROUND_HALF_UP)),
    }


def _purchases_from_documents(client, **params):
    build = SummaryBuild.objects.filter(name=PURCHASES)
    (kept,) = build.values()
    build.delete()
    try:
        return report_body(client, "purchases", **params)
    finally:
        SummaryBuild.objects.create(**kept)


def test_purchases_from_the_summary_equal_the_documents(
    manager, purchase_history, warehouse, suppliers, widget
):
    call_command("rebuild_report_summaries")
    _, bolt, _ = suppliers
    variants = [
        ({}, {}),
        ({"warehouse": warehouse.pk}, {"warehouse_id": warehouse.pk}),
        ({"supplier": bolt.pk}, {"supplier_id": bolt.pk}),
        ({"currency": "EUR"}, {"currency": "EUR"}),
        ({"product": widget.pk}, None),
    ]
    for filters, fields in variants:
        for group_by in ("month", "supplier", "product"):
            params = {**PURCHASE_PERIOD, "group_by": group_by, **filters}
            from_summary = report_body(manager, "purchases", **params)
            assert from_summary == _purchases_from_documents(manager, **params), params
        if fields is not None:
            assert from_summary["totals"] == _purchase_documents(**fields), filters
    by_supplier = report_body(manager, "purchases", group_by="supplier", **PURCHASE_PERIOD)
    assert [row["name"] for row in by_supplier["rows"]] == ["Acme", "Bolt"]  # not Cole
    assert _purchase_documents()["orders"] == 5


def test_purchases_per_product_count_each_order_once(manager, purchase_history, widget, gadget):
    """The orders of the period with each product, counted in Python from the lines."""
    call_command("rebuild_report_summaries")
    first, last = (date.fromisoformat(PURCHASE_PERIOD[name]) for name in ("date_from", "date_to"))
    counted = PurchaseOrder.objects.exclude(status__in=(Status.DRAFT, Status.CANCELLED)).filter(
        order_date__gte=first, order_date__lte=last
    )
    expected = {
        product.pk: counted.filter(lines__product=product).distinct().count()
        for product in (widget, gadget)
    }
    body = report_body(manager, "purchases", group_by="product", **PURCHASE_PERIOD)
    assert {row["key"]: row["orders"] for row in body["rows"]} == expected
    assert expected[widget.pk] == 3  # the order with two widget lines once


def test_unfiltered_months_read_the_dates_the_rest_the_days(manager, purchase_history, suppliers):
    call_command("rebuild_report_summaries")
    PurchaseDay.objects.all().delete()
    months = {**PURCHASE_PERIOD, "group_by": "month"}
    assert report_body(manager, "purchases", **months) == _purchases_from_documents(
        manager, **months
    )
    narrowed = report_body(manager, "purchases", supplier=suppliers[0].pk, **months)
    assert narrowed["totals"]["orders"] == 0


def test_a_release_adding_a_grain_drops_the_build_mark(purchase_history):
    """Migration 0011 adds the dates empty: the mark made before it must not survive."""
    migration = importlib.import_module("stockyard.reporting.migrations.0011_purchase_date")
    call_command("rebuild_report_summaries")
    (drop,) = [op for op in migration.Migration.operations if isinstance(op, RunSQL)]
    with connection.cursor() as cursor:
        cursor.execute(drop.sql)
    assert not SummaryBuild.objects.filter(name=PURCHASES).exists()


def test_supplier_and_product_rows_read_the_blocks(manager, purchase_history, widget):
    """Narrowed by nothing but the object grouped; by anything else (or months of one
    product) the days or the lines answer."""
    call_command("rebuild_report_summaries")
    PurchaseSupplierBlock.objects.all().delete()
    PurchaseProductBlock.objects.all().delete()
    for group_by in ("supplier", "product"):
        assert report_body(manager, "purchases", group_by=group_by, **PURCHASE_PERIOD)["rows"] == []
    PurchaseDay.objects.all().delete()
    for params in (
        {"group_by": "product", "warehouse": purchase_history[2].warehouse_id},
        {"product": widget.pk},
    ):
        body = report_body(manager, "purchases", **PURCHASE_PERIOD, **params)
        assert body == _purchases_from_documents(manager, **PURCHASE_PERIOD, **params)
        assert body["totals"]["orders"]


PURCHASE_MEASURES = (
    "submitted_orders",
    "ordered_quantity",
    "ordered_spend",
    "received_quantity",
    "received_amount",
)


PURCHASE_KEYS = {
    PurchaseDay: ("day", "warehouse", "currency", "supplier"),
    PurchaseDate: ("day",),
    PurchaseSupplierBlock: ("start", "span", "supplier"),
    PurchaseProductBlock: ("start", "span", "product"),
}


def _purchase_rows(model: type[PurchaseMeasures]) -> set[tuple]:
    keys = PURCHASE_KEYS[model]
    rows = model._default_manager.values_list(*keys, *PURCHASE_MEASURES)
    return {row for row in rows if any(row[len(keys) :])}


def test_the_purchasing_services_keep_the_summary_as_a_rebuild_computes_it(purchase_history):
    kept = {model: _purchase_rows(model) for model in PURCHASE_KEYS}
    # submit, receipts, cancel (its row at zero), the taxed one; two on Nov 2
    assert (len(kept[PurchaseDay]), len(kept[PurchaseDate])) == (7, 6)
    assert kept[PurchaseProductBlock]
    call_command("rebuild_report_summaries")
    assert {model: _purchase_rows(model) for model in kept} == kept
    assert SummaryBuild.objects.filter(name=PURCHASES).exists()


# --- fulfillment ----------------------------------------------------------------------

# From a Wednesday: the first week starts before the period, with a shipment in between.
FULFILLMENT_PERIOD = {"date_from": "2026-11-04", "date_to": "2026-12-02"}


@pytest.fixture
def shipments(warehouse, widget, alice):
    """Orders shipped whole, in thirds over days and weeks, twice at one instant, late,
    more than a year late (never on time), around day boundaries of UTC and Kolkata; a
    shipment pending and one cancelled."""

    def order(when):
        return sold(when, line(widget, 3, "10.00"), customer=alice, warehouse=warehouse)

    split = order(utc(2026, 11, 2, 10))
    shipped(split, utc(2026, 11, 3, 9), share=Decimal(1) / 3)  # before the period
    shipped(split, utc(2026, 11, 5, 12), share=Decimal(2) / 3)
    thirds = order(utc(2026, 11, 9, 8))
    for moment in (utc(2026, 11, 9, 20), utc(2026, 11, 12, 8), utc(2026, 11, 16, 3)):
        shipped(thirds, moment, share=Decimal(1) / 3)
    twice = order(utc(2026, 11, 20, 23, 30))  # the 21st in Kolkata
    for _ in range(2):
        shipped(twice, utc(2026, 11, 21, 2), share=Decimal(1) / 3)
    shipped(order(utc(2026, 11, 27, 0, 10)), utc(2026, 12, 1, 23, 10))  # 119 h; Dec 2 in Kolkata
    shipped(order(utc(2025, 10, 1, 9)), utc(2026, 11, 18, 9))  # 9,912 h
    shipped(order(utc(2026, 11, 29, 23)), utc(2026, 11, 30, 23))  # 24 h
    waiting = order(utc(2026, 11, 25, 9))
    shipping.shipment_create(
        sales_order=waiting,
        lines=[ShipmentLineInput(waiting.lines.get(), Decimal(1))],
        user=None,
    )
    shipping.shipment_cancel(
        shipment=shipping.shipment_create(
            sales_order=waiting,
            lines=[ShipmentLineInput(waiting.lines.get(), Decimal(1))],
            user=None,
        ),
        user=None,
    )


def _fulfillment_documents(zone: str, on_time_hours: int) -> dict[str, object]:
    """The period's fulfillment totals worked out in Python from the shipments."""
    tz = ZoneInfo(zone)
    start = datetime.combine(date.fromisoformat(FULFILLMENT_PERIOD["date_from"]), time.min, tz)
    end = datetime.combine(date(2026, 12, 3), time.min, tz)
    orders, waits = set(), []
    for shipment in Shipment.objects.select_related("sales_order"):
        shipped_at, confirmed_at = shipment.shipped_at, shipment.sales_order.confirmed_at
        if shipped_at is not None and confirmed_at is not None and start <= shipped_at < end:
            orders.add(shipment.sales_order_id)
            waits.append(shipped_at - confirmed_at)
    seconds = sum((Decimal(wait.total_seconds()) for wait in waits), Decimal(0))
    on_time = sum(wait <= timedelta(hours=on_time_hours) for wait in waits)
    return {
        "shipments": len(waits),
        "orders_shipped": len(orders),
        "average_hours_to_ship": str((seconds / len(waits) / 3600).quantize(CENT, ROUND_HALF_UP)),
        "on_time_rate": str((Decimal(on_time * 100) / len(waits)).quantize(CENT, ROUND_HALF_UP)),
    }


def _fulfillment_from_documents(client, **params):
    build = SummaryBuild.objects.filter(name=FULFILLMENT)
    (kept,) = build.values()
    build.delete()
    try:
        return report_body(client, "fulfillment", **params)
    finally:
        SummaryBuild.objects.create(**kept)


@BUSINESSES
def test_fulfillment_from_the_summary_equals_the_shipments(manager, business, shipments):
    call_command("rebuild_report_summaries")
    for on_time_hours in (None, 1, 12, 72, 119, 8760):  # 72 and 119: on the hour
        hours = {"on_time_hours": on_time_hours} if on_time_hours else {}
        for group_by in ("day", "week", "month"):
            params = {**FULFILLMENT_PERIOD, "group_by": group_by, **hours}
            from_summary = report_body(manager, "fulfillment", **params)
            assert from_summary == _fulfillment_from_documents(manager, **params), params
        expected = _fulfillment_documents(business, on_time_hours or 48)
        assert from_summary["totals"] == expected, on_time_hours
    assert from_summary["totals"]["orders_shipped"] == 6


@BUSINESSES
def test_fulfillment_is_read_from_the_summary_in_the_business_zone_only(
    manager, business, shipments
):
    call_command("rebuild_report_summaries")
    FulfillmentDay.objects.all().delete()
    assert report_body(manager, "fulfillment", **FULFILLMENT_PERIOD)["totals"]["shipments"] == 0
    other = "Europe/Berlin"
    body = report_body(manager, "fulfillment", tz=other, **FULFILLMENT_PERIOD)
    assert body["totals"] == _fulfillment_documents(other, 48)


def _fulfillment_rows() -> set[tuple]:
    return set(
        FulfillmentDay.objects.values_list(
            "day", "previous_day", "waited_hours", "shipped", "waited_seconds"
        )
    )


@BUSINESSES
def test_the_shipping_services_keep_the_summary_as_a_rebuild_computes_it(shipments):
    kept = _fulfillment_rows()
    assert len(kept) == 10
    call_command("rebuild_report_summaries")
    assert _fulfillment_rows() == kept
    assert {row[2] for row in kept} >= {3, 24, 119, NEVER_ON_TIME}  # 2.5 h waited: 3


def test_an_orders_contribution_is_compiled_once(warehouse, widget, alice, monkeypatch):
    """Only the order's id changes between orders: the query is built once per process,
    and each order still adds its own lines."""
    first = sold(
        utc(2026, 11, 2, 10, 5), line(widget, 2, "10.00"), customer=alice, warehouse=warehouse
    )
    monkeypatch.setattr(summaries, "_sold", None)  # building it again would fail
    second = sold(
        utc(2026, 11, 2, 10, 40), line(widget, 3, "10.00"), customer=alice, warehouse=warehouse
    )
    sales.sales_order_cancel(order=first, user=None)

    (hour,) = SalesHour.objects.all()
    assert (hour.confirmed_orders, hour.sold_quantity) == (1, 3)
    assert second.lines.get().quantity == 3
