"""The sales summary (days in the business's zone, UTC hours): kept by the services,
rebuilt by a command, and the report read from it equal to the documents — after cancels,
closes and returns, in several zones and with the business in two."""

from collections import Counter
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from stockyard.catalog.tests.factories import ExchangeRateFactory
from stockyard.inventory.tests.factories import put_stock
from stockyard.reporting.enums import TimeBucket
from stockyard.reporting.models import SalesDay, SalesHour, SummaryBuild
from stockyard.reporting.summaries import SALES, buckets_start_on_utc_hours
from stockyard.reporting.tests.factories import line, report_body, shipped, sold, utc
from stockyard.sales import returns
from stockyard.sales import services as sales
from stockyard.sales.enums import ReturnStatus, SalesOrderStatus
from stockyard.sales.models import CustomerReturnLine, SalesOrder
from stockyard.sales.returns import ReturnLineInput

pytestmark = pytest.mark.django_db

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
    # The same hour as the first: two orders share a summary row
    orders.append(
        sold(
            utc(2026, 10, 31, 22, 50),
            line(widget, 2, "10.00"),
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
        widget_line = order.lines.get(product=widget)
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
    tz = ZoneInfo(zone)
    start = datetime.combine(date.fromisoformat(PERIOD["date_from"]), datetime.min.time(), tz)
    end = datetime.combine(date(2026, 12, 1), datetime.min.time(), tz)

    def wanted(order: SalesOrder) -> bool:
        return all(getattr(order, name) == value for name, value in filters.items())

    orders, quantity, revenue = 0, Decimal(0), Decimal(0)
    for order in SalesOrder.objects.prefetch_related("lines"):
        confirmed = order.confirmed_at
        if order.status == SalesOrderStatus.CANCELLED or confirmed is None:
            continue
        if not (start <= confirmed < end and wanted(order)):
            continue
        orders += 1
        for item in order.lines.all():
            sold_quantity = item.quantity - item.quantity_cancelled
            line_revenue = item.line_subtotal - item.line_discount
            if item.quantity_cancelled:
                line_revenue = (line_revenue * sold_quantity / item.quantity).quantize(
                    CENT, ROUND_HALF_UP
                )
            quantity += sold_quantity
            revenue += line_revenue * order.exchange_rate
    for row in CustomerReturnLine.objects.select_related(
        "customer_return", "sales_order_line__order"
    ):
        order = row.sales_order_line.order
        received = row.customer_return.received_at
        if row.customer_return.status != ReturnStatus.RECEIVED or not wanted(order):
            continue
        if received is not None and start <= received < end:
            quantity -= row.quantity
            revenue -= (row.refund_amount - row.refund_tax) * order.exchange_rate
    return {
        "orders": orders,
        "quantity": f"{quantity:.3f}",
        "revenue": str(revenue.quantize(CENT, ROUND_HALF_UP)),
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


def _summary_rows(model: type[SalesHour] | type[SalesDay]) -> set[tuple]:
    """The grain's non-empty rows (a cancel leaves its hour's and day's rows at zero)."""
    measures = ("confirmed_orders", "sold_quantity", "sold_revenue", "returned_quantity")
    key = "hour" if model is SalesHour else "day"
    rows = model.objects.values_list(key, "warehouse", "currency", *measures, "returned_revenue")
    return {row for row in rows if any(row[3:])}


@BUSINESSES
def test_the_services_keep_the_summary_as_a_rebuild_computes_it(history):
    for model in (SalesHour, SalesDay):
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


def test_without_a_build_reports_read_the_documents(manager, history, django_assert_num_queries):
    """An upgraded database before the command has run: the documents answer (the sales
    report's query count: auth 2, the build check, rows and totals of sales and returns
    4, and the transaction's savepoint 2)."""
    with django_assert_num_queries(9):
        body = report_body(manager, "sales", **PERIOD)
    call_command("rebuild_report_summaries")
    with django_assert_num_queries(7):  # the build check, rows and totals of the summary
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
