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
from stockyard.reporting.tests.factories import bought, line, sold, utc

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"


@pytest.fixture
def manager(client_for):
    return client_for(Role.MANAGER)


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
