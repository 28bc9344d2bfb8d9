"""Reports in the business's calendar and currency: time-zone buckets, ``tz=``, amounts
converted at recorded rates, what purchase orders actually received, UTF-8 CSV."""

import codecs
from decimal import Decimal

import pytest
from django.core import mail

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ExchangeRateFactory, ProductFactory
from stockyard.core.testing import assert_problem
from stockyard.inventory.tests.factories import put_stock
from stockyard.partners.tests.factories import CustomerFactory, SupplierFactory
from stockyard.purchasing import services as purchasing
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.reporting import services
from stockyard.reporting.models import ReportSchedule
from stockyard.reporting.tests.factories import bought, line, shipped, sold, utc
from stockyard.sales import services as sales

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"


def _sales_days(client, **params):
    response = client.get(f"{REPORTS}sales/", {"date_from": "2026-11-02", **params})
    assert response.status_code == 200, response.content
    return {row["key"]: row["orders"] for row in response.json()["rows"]}


def test_day_buckets_are_days_in_the_business_time_zone(
    manager, settings, warehouse, widget, alice
):
    # Confirmed at 07:53 in Tokyo on 3 November: 22:53 UTC on 2 November.
    sold(utc(2026, 11, 2, 22, 53), line(widget, 1, "10.00"), customer=alice, warehouse=warehouse)
    settings.TIME_ZONE = "Asia/Tokyo"
    assert _sales_days(manager, date_to="2026-11-03") == {"2026-11-02": 0, "2026-11-03": 1}
    # tz= overrides the business zone for one report.
    assert _sales_days(manager, date_to="2026-11-03", tz="UTC") == {
        "2026-11-02": 1,
        "2026-11-03": 0,
    }


def test_an_unknown_time_zone_is_a_400_at_tz(manager):
    response = manager.get(f"{REPORTS}sales/", {"tz": "Mars/Olympus_Mons"})
    assert_problem(response, 400, "validation_error")
    assert "tz" in response.json()["errors"]


def test_the_purchases_report_shows_what_arrived_beside_what_was_ordered(
    manager, warehouse, widget
):
    order = bought(utc(2026, 11, 2, 9), [(widget, 20, "4.00")], Status.SUBMITTED)
    purchasing.purchase_order_receive(
        order=order,
        lines=[purchasing.LineReceipt(order.lines.get().pk, Decimal(5))],
        user=None,
    )
    purchasing.purchase_order_close(order=order, user=None)
    body = manager.get(
        f"{REPORTS}purchases/", {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    ).json()
    assert body["totals"] == {
        "orders": 1,
        "quantity": "20.000",
        "spend": "80.00",
        "quantity_received": "5.000",
        "received_value": "20.00",
    }


def test_purchases_in_other_currencies_are_stated_in_the_default_one(manager, warehouse, widget):
    ExchangeRateFactory(base="JPY", quote="USD", rate=Decimal("0.0067"))
    supplier = SupplierFactory(currency="JPY")
    bought(utc(2026, 11, 2, 9), [(widget, 10, "1500")], Status.SUBMITTED, supplier=supplier)
    totals = manager.get(
        f"{REPORTS}purchases/", {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    ).json()["totals"]
    assert totals["spend"] == "100.50"  # 15,000 JPY at 0.0067


def test_csv_is_utf8_with_a_byte_order_mark(manager, warehouse):
    coffee = ProductFactory(sku="CAFÉ", name="Café crème")
    put_stock(coffee, warehouse, 3)
    response = manager.get(f"{REPORTS}inventory-valuation/", {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content)
    assert content.startswith(codecs.BOM_UTF8)
    assert "CAFÉ".encode() in content


# --- references and failures of schedules ---------------------------------------------------


def _schedule(**params):
    return services.report_schedule_create(
        user=None,
        name="Widget sales",
        report="sales",
        params=params,
        format="csv",
        frequency="daily",
        hour=7,
        recipients=["ops@example.com"],
    )


def test_a_product_named_by_a_schedule_cannot_be_deleted(admin_client):
    product = ProductFactory()
    _schedule(product=product.pk)
    response = admin_client.delete(f"/api/v1/products/{product.pk}/")
    assert_problem(response, 409, "conflict")
    assert "Widget sales" in response.json()["detail"]
    other = ProductFactory()
    assert admin_client.delete(f"/api/v1/products/{other.pk}/").status_code == 204


def test_partners_and_warehouses_named_by_a_schedule_cannot_be_deleted(admin_client, warehouse):
    customer = CustomerFactory()
    _schedule(customer=customer.pk, warehouse=warehouse.pk)
    assert_problem(admin_client.delete(f"/api/v1/customers/{customer.pk}/"), 409, "conflict")
    assert_problem(admin_client.delete(f"/api/v1/warehouses/{warehouse.pk}/"), 409, "conflict")


def test_a_failing_schedule_records_the_error_and_mails_its_owner(make_user, time_machine):
    owner = make_user(Role.MANAGER)
    owner.email = "owner@example.com"
    owner.save()
    time_machine.move_to(utc(2026, 11, 22, 6), tick=False)
    schedule = services.report_schedule_create(
        user=owner,
        name="Broken",
        report="sales",
        params={},
        format="csv",
        frequency="daily",
        hour=7,
        recipients=["ops@example.com"],
    )
    # A stored parameter the report no longer accepts (as after a rename): it fails.
    ReportSchedule.objects.filter(pk=schedule.pk).update(params={"group_by": "hour"})
    time_machine.move_to(utc(2026, 11, 22, 7, 5), tick=False)
    assert services.report_schedule_send_due() == []
    schedule.refresh_from_db()
    assert schedule.last_run_at is None
    assert "group_by" in schedule.last_error
    assert schedule.last_error_at is not None
    [message] = mail.outbox
    assert message.to == ["owner@example.com"]
    assert "Broken" in message.subject


# --- amounts to the minor unit of their currency ---------------------------------------------


@pytest.fixture(
    params=[
        # Lines of 3 x 34 less 2 %: 100 yen each; a third of one shipped is 33 yen, not 33.33.
        ("JPY", "34", "2", "33", "66"),
        # Lines of 3 x 0.34 less 2 %: 1 dinar each; a third shipped is 0.333 dinar, not 0.33.
        ("KWD", "0.34", "2", "0.333", "0.666"),
    ]
)
def closed_case(request, settings):
    """(currency, unit price, discount %, revenue of a line, of the order), with the
    currency as DEFAULT_CURRENCY."""
    settings.DEFAULT_CURRENCY = request.param[0]
    return request.param


def test_a_closed_orders_shipped_revenue_is_rounded_to_its_currency(
    manager, warehouse, widget, gadget, closed_case
):
    currency, unit_price, discount_percent, line_revenue, revenue = closed_case
    order = sold(
        utc(2026, 11, 2, 10),
        *(
            line(product, 3, unit_price, discount_percent=discount_percent)
            for product in (widget, gadget)
        ),
        customer=CustomerFactory(currency=currency),
        warehouse=warehouse,
    )
    shipped(order, utc(2026, 11, 3, 10), share=Decimal(1) / 3)
    sales.sales_order_close(order=order, user=None)

    body = manager.get(
        f"{REPORTS}sales/",
        {"date_from": "2026-11-01", "date_to": "2026-11-30", "group_by": "product"},
    ).json()
    assert [row["revenue"] for row in body["rows"]] == [line_revenue, line_revenue]
    assert body["totals"]["revenue"] == revenue  # the rows as shown, added up


def test_received_value_is_rounded_per_line_to_the_order_currency(
    manager, settings, warehouse, widget, gadget
):
    settings.DEFAULT_CURRENCY = "JPY"
    order = bought(
        utc(2026, 11, 2, 9),
        [(widget, 3, "10.4"), (gadget, 3, "10.4")],
        Status.SUBMITTED,
        supplier=SupplierFactory(currency="JPY"),
    )
    purchasing.purchase_order_receive(
        order=order,
        lines=[
            purchasing.LineReceipt(pk, Decimal(1))
            for pk in order.lines.values_list("pk", flat=True)
        ],
        user=None,
    )
    totals = manager.get(
        f"{REPORTS}purchases/", {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    ).json()["totals"]
    assert totals["spend"] == "62"  # 31 yen a line, as the lines' totals are rounded
    assert totals["received_value"] == "20"  # 10 yen a line, not 20.8 yen


@pytest.mark.parametrize("case", [("JPY", "0.4", "0"), ("KWD", "0.1235", "0.124")])
def test_inventory_valuation_rounds_each_row_to_the_default_currency(
    manager, settings, warehouse, other_warehouse, case
):
    currency, unit_cost, value = case
    settings.DEFAULT_CURRENCY = currency
    product = ProductFactory()
    for where in (warehouse, other_warehouse):
        put_stock(product, where, 1, unit_cost=unit_cost)
    body = manager.get(f"{REPORTS}inventory-valuation/").json()
    assert [row["value"] for row in body["rows"]] == [value, value]
    assert body["totals"]["value"] == str(Decimal(value) * 2)  # the rows as shown, added up
