"""The sales report over HTTP: what it counts, how it groups, and its numbers."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ExchangeRateFactory
from stockyard.reporting.tests.factories import line, report_body, shipped, sold, utc
from stockyard.sales import returns
from stockyard.sales import services as sales
from stockyard.sales.returns import ReturnLineInput

pytestmark = pytest.mark.django_db

NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-10"}


@pytest.fixture
def history(warehouse, other_warehouse, widget, gadget, customers):
    """Three counted orders (Nov 2, Nov 3, Nov 9) and several that must not count."""
    alice, bob = customers
    counted = [
        sold(  # revenue 27.00 + 25.00: the tax is not revenue, the discount is taken off
            utc(2026, 11, 2, 10),
            line(widget, 3, "10.00", discount_percent="10", tax_rate="20"),
            line(gadget, 1, "25.00"),
            customer=alice,
            warehouse=warehouse,
        ),
        sold(
            utc(2026, 11, 3, 23, 30),
            line(widget, 2, "10.00"),
            customer=bob,
            warehouse=other_warehouse,
        ),
        sold(utc(2026, 11, 9, 8), line(widget, 1, "10.00"), customer=alice, warehouse=warehouse),
    ]
    # Not counted: a draft, a cancelled order, one before the period.
    sales.sales_order_create(
        customer=alice, warehouse=warehouse, lines=[line(widget, 5, "10.00")], user=None
    )
    cancelled = sold(
        utc(2026, 11, 3, 9), line(widget, 7, "10.00"), customer=bob, warehouse=warehouse
    )
    sales.sales_order_cancel(order=cancelled, user=None)
    sold(utc(2026, 10, 31, 23, 59), line(widget, 9, "10.00"), customer=bob, warehouse=warehouse)
    return counted


def test_daily_rows_cover_every_day_of_the_period_and_count_only_confirmed_orders(manager, history):
    body = report_body(manager, "sales", **NOVEMBER)
    assert body["report"] == "sales"
    assert body["params"] == {
        "date_from": "2026-11-01",
        "date_to": "2026-11-10",
        "tz": "UTC",
        "currency": None,
        "group_by": "day",
        "warehouse": None,
        "customer": None,
        "product": None,
    }
    assert [column["name"] for column in body["columns"]] == [
        "key",
        "orders",
        "quantity",
        "revenue",
        "average_order_value",
    ]
    rows = {row["key"]: row for row in body["rows"]}
    assert list(rows) == [f"2026-11-{day:02d}" for day in range(1, 11)]
    assert rows["2026-11-02"] == {
        "key": "2026-11-02",
        "orders": 1,
        "quantity": "4.000",
        "revenue": "52.00",
        "average_order_value": "52.00",
    }
    assert rows["2026-11-03"]["revenue"] == "20.00"  # 23:30 UTC is still the 3rd
    assert rows["2026-11-09"]["orders"] == 1
    assert rows["2026-11-01"] == {
        "key": "2026-11-01",
        "orders": 0,
        "quantity": "0.000",
        "revenue": "0.00",
        "average_order_value": None,
    }
    assert body["totals"] == {
        "orders": 3,
        "quantity": "7.000",
        "revenue": "82.00",
        "average_order_value": "27.33",
    }


def test_weeks_start_on_monday_and_months_are_keyed_by_year_and_month(manager, history):
    weekly = report_body(manager, "sales", group_by="week", **NOVEMBER)
    assert [(row["key"], row["orders"], row["revenue"]) for row in weekly["rows"]] == [
        ("2026-10-26", 0, "0.00"),  # Sunday the 1st belongs to the week of Monday 26 October
        ("2026-11-02", 2, "72.00"),
        ("2026-11-09", 1, "10.00"),
    ]
    monthly = report_body(
        manager, "sales", group_by="month", date_from="2026-10-01", date_to="2026-11-30"
    )
    assert [(row["key"], row["orders"], row["revenue"]) for row in monthly["rows"]] == [
        ("2026-10", 1, "90.00"),
        ("2026-11", 3, "82.00"),
    ]


def test_by_product_names_the_product_and_totals_count_each_order_once(
    manager, history, widget, gadget
):
    body = report_body(manager, "sales", group_by="product", **NOVEMBER)
    assert [column["name"] for column in body["columns"]][:4] == ["key", "product", "sku", "name"]
    assert body["rows"] == [
        {
            "key": gadget.pk,
            "product": gadget.pk,
            "sku": "GADGET",
            "name": "Gadget",
            "orders": 1,
            "quantity": "1.000",
            "revenue": "25.00",
            "average_order_value": "25.00",
        },
        {
            "key": widget.pk,
            "product": widget.pk,
            "sku": "WIDGET",
            "name": "Widget",
            "orders": 3,
            "quantity": "6.000",
            "revenue": "57.00",
            "average_order_value": "19.00",
        },
    ]
    assert body["totals"]["orders"] == 3  # not 4: the first order holds both products


def test_by_customer(manager, history, alice, bob):
    body = report_body(manager, "sales", group_by="customer", **NOVEMBER)
    assert [
        (row["key"], row["customer"], row["name"], row["orders"], row["revenue"])
        for row in body["rows"]
    ] == [(alice.pk, alice.pk, "Alice Ltd", 2, "62.00"), (bob.pk, bob.pk, "Bob & Co", 1, "20.00")]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"customer": "bob"}, (1, "20.00")),
        ({"warehouse": "other_warehouse"}, (1, "20.00")),
        ({"product": "gadget"}, (1, "25.00")),
        ({"customer": "alice", "product": "widget"}, (2, "37.00")),
    ],
)
def test_filters_narrow_the_orders_and_lines_counted(manager, history, request, filters, expected):
    params = {name: request.getfixturevalue(value).pk for name, value in filters.items()}
    totals = report_body(manager, "sales", **NOVEMBER, **params)["totals"]
    assert (totals["orders"], totals["revenue"]) == expected


def test_orders_in_other_currencies_count_at_the_rate_they_recorded(
    manager, history, warehouse, gadget, alice
):
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.1"), valid_from=date(2026, 1, 1))
    sold(
        utc(2026, 11, 3, 9),
        line(gadget, 2, "30.00"),
        customer=alice,
        warehouse=warehouse,
        currency="EUR",
    )
    # A later rate changes nothing: the order keeps the one it recorded.
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("2"), valid_from=date(2026, 11, 4))
    totals = report_body(manager, "sales", **NOVEMBER)["totals"]
    # 27 + 25 + 20 + 10 USD, and 60 EUR at 1.1 = 66 USD
    assert (totals["orders"], totals["revenue"]) == (4, "148.00")
    only_eur = report_body(manager, "sales", currency="EUR", **NOVEMBER)["totals"]
    assert only_eur == {
        "orders": 1,
        "quantity": "2.000",
        "revenue": "66.00",
        "average_order_value": "66.00",
    }


def test_averages_round_half_up(manager, warehouse, widget, alice):
    for hour in (9, 10):  # 0.05 over two orders is 0.025: half-up gives 0.03
        sold(
            utc(2026, 11, 2, hour),
            line(widget, 1, "0.02" if hour == 9 else "0.03"),
            customer=alice,
            warehouse=warehouse,
        )
    totals = report_body(manager, "sales", **NOVEMBER)["totals"]
    assert totals["revenue"] == "0.05"
    assert totals["average_order_value"] == "0.03"


def test_the_default_period_is_the_last_30_days(client_for, time_machine):
    time_machine.move_to(utc(2026, 3, 15, 12))
    body = report_body(client_for(Role.MANAGER), "sales")
    assert (body["params"]["date_from"], body["params"]["date_to"]) == ("2026-02-14", "2026-03-15")
    assert len(body["rows"]) == 30


@pytest.fixture
def twenty_orders(warehouse, widget, gadget, customers):
    alice, bob = customers
    for day in range(1, 21):
        sold(
            utc(2026, 11, day % 10 + 1, 9),
            line(widget, 1, "10.00"),
            line(gadget, 1, "25.00"),
            customer=alice if day % 2 else bob,
            warehouse=warehouse,
        )


def test_query_count_does_not_grow_with_the_data(
    manager, twenty_orders, alice, django_assert_max_num_queries
):
    for group_by in ("day", "week", "month", "product", "customer"):
        # authentication and roles (2), the customer filter (1), rows and totals of sales
        # (2) and of returns (2), and the savepoint and its release: a report reads in one
        # transaction (here nested)
        with django_assert_max_num_queries(9):
            body = report_body(manager, "sales", group_by=group_by, customer=alice.pk, **NOVEMBER)
        assert body["totals"]["revenue"] == str(Decimal("35.00") * 10)


def test_a_closed_order_counts_what_it_shipped(manager, warehouse, widget, alice):
    order = sold(  # 3 x 10.00 less 10 % with 20 % tax: revenue 27.00 if all of it shipped
        utc(2026, 11, 2, 10),
        line(widget, 3, "10.00", discount_percent="10", tax_rate="20"),
        customer=alice,
        warehouse=warehouse,
    )
    shipped(order, utc(2026, 11, 3, 10), share=Decimal(1) / 3)
    assert (
        report_body(manager, "sales", **NOVEMBER)["totals"]["revenue"] == "27.00"
    )  # still open: all of it

    sales.sales_order_close(order=order, user=None)

    totals = report_body(manager, "sales", **NOVEMBER)["totals"]
    assert (totals["orders"], totals["quantity"], totals["revenue"]) == (1, "1.000", "9.00")


def test_returns_received_in_the_period_net_quantity_and_revenue(
    manager, warehouse, widget, gadget, alice
):
    order = sold(  # 27.00 + 25.00 of revenue on the 2nd
        utc(2026, 11, 2, 10),
        line(widget, 3, "10.00", discount_percent="10", tax_rate="20"),
        line(gadget, 1, "25.00"),
        customer=alice,
        warehouse=warehouse,
    )
    shipped(order, utc(2026, 11, 3, 10))
    widget_line = order.lines.get(product=widget)
    with time_machine.travel(utc(2026, 11, 5, 12), tick=False):
        received = returns.customer_return_receive(
            customer_return=returns.customer_return_request(
                sales_order=order, lines=[ReturnLineInput(widget_line, Decimal(1))], user=None
            ),
            user=None,
        )
    assert received.refund_total == Decimal("10.80")  # a third of 32.40, tax included
    returns.customer_return_request(  # requested only: not netted
        sales_order=order, lines=[ReturnLineInput(widget_line, Decimal(1))], user=None
    )

    daily = {row["key"]: row for row in report_body(manager, "sales", **NOVEMBER)["rows"]}
    assert (daily["2026-11-02"]["quantity"], daily["2026-11-02"]["revenue"]) == ("4.000", "52.00")
    assert daily["2026-11-05"] == {  # the refund less its tax, on the day it came back
        "key": "2026-11-05",
        "orders": 0,
        "quantity": "-1.000",
        "revenue": "-9.00",
        "average_order_value": None,
    }
    totals = report_body(manager, "sales", **NOVEMBER)["totals"]
    assert (totals["orders"], totals["quantity"], totals["revenue"]) == (1, "3.000", "43.00")
    by_product = report_body(manager, "sales", group_by="product", **NOVEMBER)["rows"]
    assert [(row["sku"], row["quantity"], row["revenue"]) for row in by_product] == [
        ("GADGET", "1.000", "25.00"),
        ("WIDGET", "2.000", "18.00"),
    ]
    before = report_body(manager, "sales", date_from="2026-11-01", date_to="2026-11-04")["totals"]
    assert before["revenue"] == "52.00"  # received after the period: not netted


def test_a_return_alone_in_a_period_is_a_row_of_its_own(manager, warehouse, widget, alice):
    order = sold(
        utc(2026, 10, 30, 10), line(widget, 2, "10.00"), customer=alice, warehouse=warehouse
    )
    shipped(order, utc(2026, 10, 30, 11))
    with time_machine.travel(utc(2026, 11, 3, 9), tick=False):
        returns.customer_return_receive(
            customer_return=returns.customer_return_request(
                sales_order=order,
                lines=[ReturnLineInput(order.lines.get(), Decimal(1))],
                user=None,
            ),
            user=None,
        )
    rows = report_body(manager, "sales", group_by="customer", **NOVEMBER)["rows"]
    assert [(row["name"], row["orders"], row["quantity"], row["revenue"]) for row in rows] == [
        ("Alice Ltd", 0, "-1.000", "-10.00")
    ]
