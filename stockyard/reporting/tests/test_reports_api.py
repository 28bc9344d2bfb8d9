"""The other reports over HTTP, the file formats, and what every report refuses."""

import codecs
import csv
import io
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import CategoryFactory, ProductFactory
from stockyard.core.testing import assert_problem
from stockyard.inventory import services as inventory
from stockyard.inventory.tests.factories import put_stock
from stockyard.partners.tests.factories import SupplierFactory
from stockyard.purchasing import services as purchasing
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.reporting.tests.factories import bought, line, shipped, sold, utc

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"
NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-10"}


def _report(client, name, **params):
    response = client.get(f"{REPORTS}{name}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def _rows(body, *names):
    return [tuple(row[name] for name in names) for row in body["rows"]]


# --- purchases ----------------------------------------------------------------------------


@pytest.fixture
def purchases(warehouse, widget, gadget):
    acme, bolt = SupplierFactory(name="Acme"), SupplierFactory(name="Bolt")
    bought(utc(2026, 10, 20, 9), [(widget, 10, "4.00")], Status.CLOSED, supplier=acme)
    bought(utc(2026, 11, 2, 9), [(widget, 10, "4.00")], Status.SUBMITTED, supplier=acme)
    bought(
        utc(2026, 11, 5, 9),
        [(gadget, 2, "12.50"), (widget, 5, "4.00")],
        Status.RECEIVED,
        supplier=bolt,
    )
    with time_machine.travel(utc(2026, 11, 6, 9), tick=False):  # spend includes tax: 12.00
        taxed = purchasing.purchase_order_create(
            supplier=bolt,
            warehouse=warehouse,
            lines=[purchasing.OrderLine(gadget, Decimal(1), Decimal("10.00"), Decimal("20"))],
            user=None,
        )
        purchasing.purchase_order_submit(order=taxed, user=None)
    # Not counted: a draft and a cancelled order.
    bought(utc(2026, 11, 6, 9), [(widget, 99, "4.00")], Status.DRAFT, supplier=acme)
    bought(utc(2026, 11, 6, 9), [(widget, 99, "4.00")], Status.CANCELLED, supplier=acme)
    return acme, bolt


def test_purchases_count_submitted_orders_by_order_date(manager, purchases, widget, gadget):
    acme, bolt = purchases
    period = {"date_from": "2026-10-01", "date_to": "2026-11-30"}
    monthly = _report(manager, "purchases", **period)
    assert monthly["params"]["group_by"] == "month"
    assert _rows(monthly, "key", "orders", "quantity", "spend") == [
        ("2026-10", 1, "10.000", "40.00"),
        ("2026-11", 3, "18.000", "97.00"),
    ]
    assert monthly["totals"] == {
        "orders": 4,
        "quantity": "28.000",
        "spend": "137.00",
        # The closed October order received 1 of 10; in November only the received one
        # (2 gadgets at 12.50, 5 widgets at 4.00) has arrived.
        "quantity_received": "8.000",
        "received_value": "49.00",
    }
    by_supplier = _report(manager, "purchases", group_by="supplier", **period)
    assert _rows(by_supplier, "key", "supplier", "name", "orders", "spend") == [
        (acme.pk, acme.pk, "Acme", 2, "80.00"),
        (bolt.pk, bolt.pk, "Bolt", 2, "57.00"),
    ]
    by_product = _report(manager, "purchases", group_by="product", **period)
    assert _rows(by_product, "key", "sku", "orders", "quantity", "spend") == [
        (gadget.pk, "GADGET", 2, "3.000", "37.00"),
        (widget.pk, "WIDGET", 3, "25.000", "100.00"),
    ]


# --- fulfillment --------------------------------------------------------------------------


@pytest.fixture
def deliveries(warehouse, widget, alice):
    def order(hour):
        return sold(
            utc(2026, 11, 2, hour), line(widget, 2, "10.00"), customer=alice, warehouse=warehouse
        )

    first, second, third = order(10), order(12), order(14)
    shipped(first, utc(2026, 11, 3, 10))  # 24 h: on time
    shipped(second, utc(2026, 11, 5, 12))  # 72 h: late
    shipped(third, utc(2026, 11, 3, 2), share=Decimal("0.5"))  # 12 h and 12 h
    shipped(third, utc(2026, 11, 3, 2), share=Decimal("0.5"))
    order(16)  # confirmed, never shipped


def test_fulfillment_measures_time_from_confirmation_to_shipping(manager, deliveries):
    body = _report(manager, "fulfillment", date_from="2026-11-02", date_to="2026-11-05")
    assert [column["name"] for column in body["columns"]] == [
        "key",
        "shipments",
        "orders_shipped",
        "average_hours_to_ship",
        "on_time_rate",
    ]
    assert _rows(
        body, "key", "shipments", "orders_shipped", "average_hours_to_ship", "on_time_rate"
    ) == [
        ("2026-11-02", 0, 0, None, None),
        ("2026-11-03", 3, 2, "16.00", "100.00"),
        ("2026-11-04", 0, 0, None, None),
        ("2026-11-05", 1, 1, "72.00", "0.00"),
    ]
    assert body["totals"] == {
        "shipments": 4,
        "orders_shipped": 3,
        "average_hours_to_ship": "30.00",
        "on_time_rate": "75.00",
    }
    lenient = _report(
        manager, "fulfillment", date_from="2026-11-02", date_to="2026-11-05", on_time_hours=72
    )
    assert lenient["totals"]["on_time_rate"] == "100.00"
    assert lenient["params"]["on_time_hours"] == 72


# --- inventory valuation and low stock ------------------------------------------------------


def test_valuation_values_stock_on_hand_at_average_cost(
    manager, warehouse, other_warehouse, widget, gadget
):
    empty = ProductFactory(sku="EMPTY")
    put_stock(empty, warehouse, 3)
    inventory.stock_adjust(product=empty, warehouse=warehouse, quantity=Decimal(-3), reason="lost")
    put_stock(gadget, other_warehouse, "0.333", unit_cost="3.3333")  # 1.10999 → 1.11
    body = _report(manager, "inventory-valuation")
    assert body["params"] == {"tz": "UTC", "warehouse": None, "category": None}
    assert _rows(body, "sku", "warehouse_code", "on_hand", "average_cost", "value") == [
        ("GADGET", "EAST", "0.333", "3.3333", "1.11"),
        ("GADGET", "MAIN", "1000.000", "12.5000", "12500.00"),
        ("WIDGET", "EAST", "1000.000", "4.0000", "4000.00"),
        ("WIDGET", "MAIN", "1000.000", "4.0000", "4000.00"),
    ]
    assert body["totals"] == {"value": "20501.11"}
    east = _report(manager, "inventory-valuation", warehouse=other_warehouse.pk)
    assert east["totals"] == {"value": "4001.11"}


def test_valuation_by_category_includes_subcategories(manager, widget, gadget):
    gadget.category = CategoryFactory(parent=widget.category)
    gadget.save()
    parent = _report(manager, "inventory-valuation", category=widget.category_id)
    child = _report(manager, "inventory-valuation", category=gadget.category_id)
    assert {row["sku"] for row in parent["rows"]} == {"WIDGET", "GADGET"}
    assert {row["sku"] for row in child["rows"]} == {"GADGET"}


def test_low_stock_lists_what_reorder_suggestions_suggest(
    manager, warehouse, other_warehouse, widget
):
    low = ProductFactory(
        sku="LOW", name="Low", reorder_point=Decimal(5), reorder_quantity=Decimal(20)
    )
    put_stock(low, warehouse, 3)
    put_stock(low, other_warehouse, 50)
    body = _report(manager, "low-stock")
    assert body["rows"] == [
        {
            "product": low.pk,
            "sku": "LOW",
            "name": "Low",
            "warehouse": warehouse.pk,
            "warehouse_code": "MAIN",
            "available": "3.000",
            "on_order": "0.000",
            "reorder_point": "5.000",
            "suggested_quantity": "20.000",
        }
    ]
    assert body["totals"] == {"products": 1}
    suggestions = manager.get("/api/v1/reorder-suggestions/").json()["results"]
    assert [(s["product"], s["warehouse"], s["suggested_quantity"]) for s in suggestions] == [
        (row["product"], row["warehouse"], row["suggested_quantity"]) for row in body["rows"]
    ]
    assert _report(manager, "low-stock", warehouse=other_warehouse.pk)["rows"] == []


# --- stock movements ----------------------------------------------------------------------


def test_stock_movements_lists_the_ledger_of_the_period(manager, warehouse, make_user):
    product = ProductFactory(sku="LEDGER")
    clerk = make_user(Role.WAREHOUSE, username="clerk")
    for day, quantity, reason in ((1, 10, "opening"), (3, -2, "damaged"), (12, 5, "found")):
        with time_machine.travel(utc(2026, 11, day, 9), tick=False):
            inventory.stock_adjust(
                product=product,
                warehouse=warehouse,
                quantity=Decimal(quantity),
                reason=reason,
                unit_cost=Decimal("2.00") if quantity > 0 else None,
                user=clerk,
            )
    body = _report(manager, "stock-movements", product=product.pk, **NOVEMBER)
    assert _rows(body, "created_at", "sku", "kind", "quantity", "reason", "created_by") == [
        ("2026-11-01T09:00:00+00:00", "LEDGER", "adjustment", "10.000", "opening", "clerk"),
        ("2026-11-03T09:00:00+00:00", "LEDGER", "adjustment", "-2.000", "damaged", "clerk"),
    ]
    assert body["totals"] == {"movements": 2}
    assert _report(manager, "stock-movements", kind="receipt", **NOVEMBER)["rows"] == []


# --- files --------------------------------------------------------------------------------


@pytest.fixture
def two_sales(warehouse, widget, gadget, alice):
    sold(
        utc(2026, 11, 2, 9),
        line(widget, 3, "10.00"),
        line(gadget, 1, "25.00"),
        customer=alice,
        warehouse=warehouse,
    )
    sold(utc(2026, 11, 4, 9), line(widget, 1, "9.99"), customer=alice, warehouse=warehouse)


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(codecs.BOM_UTF8)  # so spreadsheets read it as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_download_has_the_columns_and_rows_of_the_json(manager, two_sales):
    params = {"group_by": "product", **NOVEMBER}
    body = _report(manager, "sales", **params)
    response = manager.get(f"{REPORTS}sales/", {**params, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="sales-2026-11-01-to-2026-11-10.csv"'
    )
    header, *rows = _csv_rows(response.getvalue())
    assert header == [column["name"] for column in body["columns"]]
    assert rows == [[str(row[name]) for name in header] for row in body["rows"]]


def test_xlsx_download_has_the_columns_and_rows_of_the_json_as_numbers(manager, two_sales):
    body = _report(manager, "sales", **NOVEMBER)
    response = manager.get(f"{REPORTS}sales/", {**NOVEMBER, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="sales-2026-11-01')
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    names = [column["name"] for column in body["columns"]]
    assert list(header) == names
    assert len(rows) == len(body["rows"]) == 10
    for values, row in zip(rows, body["rows"], strict=True):
        assert values[0] == row["key"]
        assert values[1] == row["orders"]
        for index, name in ((2, "quantity"), (3, "revenue"), (4, "average_order_value")):
            expected = row[name]
            assert (
                (values[index] is None)
                if expected is None
                else (Decimal(str(values[index])) == Decimal(expected))
            )


def test_typed_text_stays_text_in_the_files(manager, warehouse):
    """Names are typed by users and opened by others: a formula must not run, and control
    characters (refused by workbooks) must not break the download."""
    trap = ProductFactory(sku="=HYPERLINK(1)", name="@SUM(A1)\x1b")
    put_stock(trap, warehouse, 1)

    csv_rows = _csv_rows(
        manager.get(f"{REPORTS}inventory-valuation/", {"format": "csv"}).getvalue()
    )
    sheet = load_workbook(
        io.BytesIO(manager.get(f"{REPORTS}inventory-valuation/", {"format": "xlsx"}).getvalue())
    ).active

    assert "'=HYPERLINK(1)" in csv_rows[1]
    [cell] = [c for row in sheet.iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


def test_the_accept_header_also_chooses_the_file(manager, two_sales):
    response = manager.get(f"{REPORTS}low-stock/", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="low-stock-')


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("sales", {"date_from": "2026-13-01"}, "date_from"),
        ("sales", {"date_to": "yesterday"}, "date_to"),
        ("sales", {"date_from": "2026-11-10", "date_to": "2026-11-01"}, "date_from"),
        ("sales", {"group_by": "supplier"}, "group_by"),
        ("purchases", {"group_by": "day"}, "group_by"),
        ("sales", {"currency": "usd"}, "currency"),
        ("sales", {"customer": "999999"}, "customer"),
        ("sales", {"warehouse": "main"}, "warehouse"),
        ("fulfillment", {"on_time_hours": "0"}, "on_time_hours"),
        ("stock-movements", {"kind": "theft"}, "kind"),
        ("inventory-valuation", {"date_to": "2026-11-01"}, "date_to"),
        ("low-stock", {"date_from": "2026-11-01"}, "date_from"),
        ("sales", {"format": "pdf"}, "format"),
        ("fulfillment", {"date_to": "0001-01-05"}, "date_to"),  # no 30 days before it
        ("sales", {"date_to": "9999-12-31"}, "date_to"),  # no day after it
        ("sales", {"date_from": "2000-01-01", "date_to": "2026-11-01"}, "date_from"),  # > 10 y
    ],
)
def test_invalid_parameters_are_400_with_the_field(manager, name, params, field):
    body = assert_problem(manager.get(f"{REPORTS}{name}/", params), 400, "validation_error")
    assert list(body["errors"]) == [field]


def test_an_invalid_parameter_of_a_file_download_is_still_problem_json(manager):
    response = manager.get(f"{REPORTS}sales/", {"format": "csv", "date_from": "soon"})
    body = assert_problem(response, 400, "validation_error")
    assert "Content-Disposition" not in response
    assert list(body["errors"]) == ["date_from"]


def test_an_unknown_report_is_404(manager):
    assert_problem(manager.get(f"{REPORTS}profit/"), 404, "not_found")


@pytest.mark.parametrize("file_format", ["json", "csv", "xlsx"])
def test_reports_need_the_reports_capability(client_for, api_client, file_format):
    viewer = client_for(Role.VIEWER)
    assert_problem(
        viewer.get(f"{REPORTS}sales/", {"format": file_format}), 403, "permission_denied"
    )
    assert_problem(
        api_client.get(f"{REPORTS}sales/", {"format": file_format}), 401, "not_authenticated"
    )
    warehouse_clerk = client_for(Role.WAREHOUSE)
    assert warehouse_clerk.get(f"{REPORTS}low-stock/", {"format": file_format}).status_code == 200


def test_query_counts_of_every_report_stay_fixed(
    manager, purchases, deliveries, two_sales, django_assert_max_num_queries
):
    # authentication and roles (2), the savepoint and its release (2: a report reads in one
    # transaction, here nested in the test's), then the report's own queries
    for name, params, queries in (
        ("purchases", {"group_by": "supplier"}, 3),  # whether the summary is built, rows, totals
        ("fulfillment", {"group_by": "week"}, 3),  # the same
        ("inventory-valuation", {}, 2),  # rows (streamed), totals
        ("low-stock", {}, 2),
        ("stock-movements", {}, 2),  # rows (streamed), count
    ):
        with django_assert_max_num_queries(4 + queries):
            _report(manager, name, **params)
