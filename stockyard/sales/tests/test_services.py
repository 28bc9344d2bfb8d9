from datetime import date
from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ExchangeRateFactory, ProductFactory
from stockyard.core import errors
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.sales import services
from stockyard.sales.enums import SalesOrderStatus as Status
from stockyard.sales.models import SalesOrder
from stockyard.sales.services import OrderLineInput
from stockyard.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def warehouse():
    return WarehouseFactory()


@pytest.fixture
def product(warehouse):
    product = ProductFactory(price=D("12.50"))
    put_stock(product, warehouse, 10)
    return product


def reserved(product, warehouse) -> Decimal:
    return StockLevel.objects.get(product=product, warehouse=warehouse).reserved


# --- create and update ------------------------------------------------------------------


def test_create_prices_lines_and_totals_and_numbers_the_order(warehouse, product, emitted):
    customer = CustomerFactory(shipping_address="9 Dock Rd")
    other = ProductFactory(price=D("0.05"))
    order = make_order(
        OrderLineInput(product, D("2"), tax_rate=D("20")),
        OrderLineInput(other, D("1"), discount_percent=D("50")),
        customer=customer,
        warehouse=warehouse,
    )
    order.refresh_from_db()
    assert order.number == f"SO-{order.pk:06d}"
    assert order.status == Status.DRAFT
    assert order.shipping_address == "9 Dock Rd"
    assert order.currency == "USD"
    assert order.order_date == date.today()
    first, second = order.lines.order_by("id")
    assert (first.unit_price, first.line_subtotal, first.line_tax, first.line_total) == (
        D("12.50"),
        D("25.00"),
        D("5.00"),
        D("30.00"),
    )
    assert (second.line_subtotal, second.line_discount, second.line_total) == (
        D("0.05"),
        D("0.03"),
        D("0.02"),
    )
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        D("25.05"),
        D("0.03"),
        D("5.00"),
        D("30.02"),
    )
    assert emitted("sales_order.created")[0]["data"] == {
        "id": order.pk,
        "number": order.number,
        "status": "draft",
        "customer": customer.pk,
        "warehouse": warehouse.pk,
        "currency": "USD",
        "subtotal": "25.05",
        "discount_total": "0.03",
        "tax_total": "5.00",
        "total": "30.02",
    }


def test_create_refuses_inactive_customer_warehouse_and_products(product):
    with pytest.raises(errors.ValidationFailed) as refused:
        make_order(
            (product, 1),
            (ProductFactory(is_active=False), 1),
            customer=CustomerFactory(is_active=False),
            warehouse=WarehouseFactory(is_active=False),
        )
    assert set(refused.value.errors) == {"customer", "warehouse", "lines.1.product"}
    assert not SalesOrder.objects.exists()


def test_create_refuses_amounts_too_large_to_store(product):
    with pytest.raises(errors.ValidationFailed) as refused:
        make_order(OrderLineInput(product, D("999999999999"), unit_price=D("999999999999.99")))
    assert refused.value.errors == {"lines.0.quantity": ["The line amount is too large to store."]}
    assert not SalesOrder.objects.exists()


def test_update_replaces_lines_and_reprices_while_draft(product, emitted):
    order = make_order((product, 1))
    services.sales_order_update(
        order=order,
        user=None,
        notes="rush",
        lines=[OrderLineInput(product, D("4"), unit_price=D("10.00"), tax_rate=D("10"))],
    )
    order.refresh_from_db()
    assert order.notes == "rush"
    assert [(line.quantity, line.line_total) for line in order.lines.all()] == [
        (D("4"), D("44.00"))
    ]
    assert order.total == D("44.00")
    assert emitted("sales_order.updated")[0]["data"]["total"] == "44.00"


def test_a_new_customer_brings_their_shipping_address(product):
    order = make_order((product, 1))
    customer = CustomerFactory(shipping_address="5 New St")
    services.sales_order_update(order=order, user=None, customer=customer)
    order.refresh_from_db()
    assert (order.customer, order.shipping_address) == (customer, "5 New St")


def test_lines_customer_and_warehouse_are_fixed_once_confirmed(warehouse, product):
    order = make_order((product, 1), warehouse=warehouse, confirm=True)
    for change in (
        {"lines": [OrderLineInput(product, D("2"))]},
        {"customer": CustomerFactory()},
        {"warehouse": WarehouseFactory()},
    ):
        with pytest.raises(errors.Conflict) as refused:
            services.sales_order_update(order=order, user=None, **change)
        assert refused.value.code == "invalid_transition"
        assert set(refused.value.errors) == set(change)
    # Naming the current values is no change; notes and the address may still change.
    services.sales_order_update(
        order=order, user=None, customer=order.customer, notes="call first", shipping_address="X"
    )
    order.refresh_from_db()
    assert (order.notes, order.shipping_address, order.lines.get().quantity) == (
        "call first",
        "X",
        D("1"),
    )


# --- confirm ----------------------------------------------------------------------------


def test_confirm_reserves_every_line_and_emits(warehouse, product, emitted):
    other = ProductFactory()
    put_stock(other, warehouse, 5)
    order = make_order((product, 3), (other, 5), warehouse=warehouse)
    order = services.sales_order_confirm(order=order, user=None)
    assert order.status == Status.CONFIRMED
    assert order.confirmed_at is not None
    assert (reserved(product, warehouse), reserved(other, warehouse)) == (D("3"), D("5"))
    assert emitted("sales_order.confirmed")[0]["data"]["status"] == "confirmed"


def test_confirm_is_all_or_nothing_and_names_every_short_line(warehouse, product, emitted):
    short, missing = ProductFactory(), ProductFactory()
    put_stock(short, warehouse, 1)
    order = make_order((product, 2), (short, 2), (missing, 1), warehouse=warehouse)
    with pytest.raises(errors.InsufficientStock) as refused:
        services.sales_order_confirm(order=order, user=None)
    assert set(refused.value.errors) == {"lines.1.quantity", "lines.2.quantity"}
    order.refresh_from_db()
    assert order.status == Status.DRAFT
    assert order.confirmed_at is None
    assert reserved(product, warehouse) == 0
    assert not emitted("sales_order.confirmed")


def test_confirm_within_the_credit_limit_counting_open_orders(warehouse, product):
    customer = CustomerFactory(credit_limit=D("50.00"))
    make_order((product, 2), customer=customer, warehouse=warehouse, confirm=True)  # 25.00
    cancelled = make_order((product, 2), customer=customer, warehouse=warehouse, confirm=True)
    services.sales_order_cancel(order=cancelled, user=None)  # no longer holds credit
    make_order((product, 1), customer=customer, warehouse=warehouse)  # drafts do not count
    exactly_at_limit = make_order((product, 2), customer=customer, warehouse=warehouse)
    services.sales_order_confirm(order=exactly_at_limit, user=None)  # 50.00 of 50.00

    over = make_order(OrderLineInput(product, D("1"), unit_price=D("0.01")), customer=customer)
    with pytest.raises(errors.Conflict) as refused:
        services.sales_order_confirm(order=over, user=None)
    assert refused.value.code == "conflict"
    assert refused.value.errors == {"customer": ["Credit limit exceeded."]}
    over.refresh_from_db()
    assert over.status == Status.DRAFT


def test_no_credit_limit_means_no_limit(warehouse, product):
    customer = CustomerFactory(credit_limit=None)
    order = make_order(
        OrderLineInput(product, D("1"), unit_price=D("99999999.00")),
        customer=customer,
        warehouse=warehouse,
        confirm=True,
    )
    assert order.status == Status.CONFIRMED


@pytest.mark.parametrize(
    "status", [Status.CONFIRMED, Status.PARTIALLY_SHIPPED, Status.SHIPPED, Status.CANCELLED]
)
def test_only_drafts_can_be_confirmed(product, status):
    order = make_order((product, 1))
    SalesOrder.objects.filter(pk=order.pk).update(status=status, confirmed_at=order.created_at)
    with pytest.raises(errors.InvalidTransition):
        services.sales_order_confirm(order=order, user=None)


# --- cancel -----------------------------------------------------------------------------


def test_cancel_a_confirmed_order_releases_its_reservations(warehouse, product, emitted):
    order = make_order((product, 4), warehouse=warehouse, confirm=True)
    assert reserved(product, warehouse) == 4
    order = services.sales_order_cancel(order=order, user=None)
    assert order.status == Status.CANCELLED
    assert reserved(product, warehouse) == 0
    assert emitted("sales_order.cancelled")[0]["data"]["status"] == "cancelled"


def test_cancel_a_draft_touches_no_stock(warehouse, product, emitted):
    order = make_order((product, 4), warehouse=warehouse)
    services.sales_order_cancel(order=order, user=None)
    assert reserved(product, warehouse) == 0
    assert len(emitted("stock.changed")) == 1  # the opening stock only


@pytest.mark.parametrize(
    "status", [Status.PARTIALLY_SHIPPED, Status.SHIPPED, Status.DELIVERED, Status.CANCELLED]
)
def test_cancel_is_refused_after_shipping_or_cancelling(product, status):
    order = make_order((product, 1))
    SalesOrder.objects.filter(pk=order.pk).update(status=status, confirmed_at=order.created_at)
    with pytest.raises(errors.InvalidTransition):
        services.sales_order_cancel(order=order, user=None)


# --- shipments and delivery (reported by the shipping app) -------------------------------


def test_recording_shipments_moves_the_order_to_partially_shipped_then_shipped(
    warehouse, product, emitted
):
    other = ProductFactory()
    put_stock(other, warehouse, 5)
    order = make_order((product, 3), (other, 1), warehouse=warehouse, confirm=True)
    first, second = order.lines.order_by("id")

    order = services.sales_order_record_shipment(
        order=order, quantities={first.pk: D("2")}, unit_costs={first.pk: D("4.5")}, user=None
    )
    assert order.status == Status.PARTIALLY_SHIPPED
    order = services.sales_order_record_shipment(
        order=order,
        quantities={first.pk: D("1"), second.pk: D("1")},
        unit_costs={first.pk: D("6"), second.pk: D("2")},
        user=None,
    )
    assert order.status == Status.SHIPPED
    first, second = order.lines.order_by("id")
    assert (first.quantity_shipped, second.quantity_shipped) == (D("3"), D("1"))
    assert (first.shipped_cost, first.shipped_unit_cost) == (D("15"), D("5"))  # 2x4.5 + 1x6
    assert [e["data"]["status"] for e in emitted() if e["type"].startswith("sales_order.")][
        -2:
    ] == ["partially_shipped", "shipped"]

    with pytest.raises(errors.InvalidTransition):
        services.sales_order_record_shipment(order=order, quantities={}, unit_costs={}, user=None)
    services.sales_order_deliver(order=order, user=None)
    order.refresh_from_db()
    assert order.status == Status.DELIVERED
    assert emitted("sales_order.delivered")


def test_recording_more_than_is_left_is_refused(warehouse, product):
    order = make_order((product, 3), warehouse=warehouse, confirm=True)
    line = order.lines.get()
    with pytest.raises(errors.Conflict):
        services.sales_order_record_shipment(
            order=order, quantities={line.pk: D("4")}, unit_costs={line.pk: D(1)}, user=None
        )
    line.refresh_from_db()
    assert line.quantity_shipped == 0


def test_only_fully_shipped_orders_can_be_delivered(warehouse, product):
    order = make_order((product, 3), warehouse=warehouse, confirm=True)
    with pytest.raises(errors.InvalidTransition):
        services.sales_order_deliver(order=order, user=None)


def test_currency_defaults_to_the_customers(product):
    ExchangeRateFactory(base="EUR", quote="USD")
    ExchangeRateFactory(base="GBP", quote="USD", rate=D("1.25"))
    customer = CustomerFactory(currency="EUR")
    assert make_order((product, 1), customer=customer).currency == "EUR"
    assert make_order((product, 1), customer=customer, currency="GBP").currency == "GBP"


def test_a_refused_transition_names_the_document_and_its_status():
    order = make_order((ProductFactory(), 1))
    order.status = Status.DELIVERED
    with pytest.raises(errors.InvalidTransition) as caught:
        order.require_status({Status.DRAFT}, "cancel")
    assert caught.value.detail == f"Cannot cancel sales order {order.number}: it is delivered."
