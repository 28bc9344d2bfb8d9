"""Sales orders that allow backorders: confirm with what is there, fill as stock arrives."""

from decimal import Decimal

import pytest

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.purchasing.enums import PurchaseOrderStatus
from stockyard.purchasing.services import LineReceipt, purchase_order_receive
from stockyard.purchasing.tests.factories import make_purchase_order
from stockyard.sales import services
from stockyard.sales.enums import SalesOrderStatus as Status
from stockyard.sales.selectors import sales_order_list
from stockyard.sales.tests.factories import make_order, ship, stock
from stockyard.shipping import services as shipping
from stockyard.shipping.services import ShipmentLineInput

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def warehouse():
    return WarehouseFactory()


@pytest.fixture
def product(warehouse):
    product = ProductFactory(price=D("10.00"))
    put_stock(product, warehouse, 4)
    return product


def backordered(order) -> Decimal:
    return sales_order_list().get(pk=order.pk).lines.get().quantity_backordered


def test_confirm_reserves_what_is_there_and_backorders_the_rest(warehouse, product):
    order = make_order((product, 10), warehouse=warehouse, allow_backorder=True, confirm=True)
    assert order.status == Status.CONFIRMED
    assert order.lines.get().quantity_backordered == D(6)  # as the service answers it
    assert backordered(order) == D(6)  # as a read shows it
    assert stock(product, warehouse) == (D(4), D(4))


def test_without_allow_backorder_confirm_is_still_all_or_nothing(warehouse, product):
    order = make_order((product, 10), warehouse=warehouse)
    with pytest.raises(errors.InsufficientStock):
        services.sales_order_confirm(order=order, user=None)
    assert stock(product, warehouse) == (D(4), D(0))


def test_a_receipt_fills_the_backorder_and_says_so(warehouse, product, emitted):
    order = make_order((product, 10), warehouse=warehouse, allow_backorder=True, confirm=True)
    purchase = make_purchase_order(
        [(product, 6, "3.00")], status=PurchaseOrderStatus.SUBMITTED, warehouse=warehouse
    )

    purchase_order_receive(
        order=purchase, lines=[LineReceipt(purchase.lines.get().pk, D(6))], user=None
    )

    assert backordered(order) == D(0)
    assert stock(product, warehouse) == (D(10), D(10))
    [filled] = emitted("sales_order.backorder_filled")
    assert filled["data"]["id"] == order.pk
    assert filled["data"]["number"] == order.number
    assert filled["data"]["lines"][0]["quantity_filled"] == "6.000"
    assert filled["data"]["status"] == Status.CONFIRMED  # like every sales_order event


def test_the_fill_event_carries_the_orders_status_at_the_time(warehouse, product, emitted):
    order = make_order((product, 10), warehouse=warehouse, allow_backorder=True, confirm=True)
    ship(order, 4)
    purchase = make_purchase_order(
        [(product, 6, "3.00")], status=PurchaseOrderStatus.SUBMITTED, warehouse=warehouse
    )
    purchase_order_receive(
        order=purchase, lines=[LineReceipt(purchase.lines.get().pk, D(6))], user=None
    )
    [filled] = emitted("sales_order.backorder_filled")
    assert filled["data"]["status"] == Status.PARTIALLY_SHIPPED


def test_only_what_is_reserved_ships(warehouse, product):
    order = make_order((product, 10), warehouse=warehouse, allow_backorder=True, confirm=True)
    line = order.lines.get()
    with pytest.raises(errors.Conflict) as caught:
        shipping.shipment_create(
            sales_order=order, lines=[ShipmentLineInput(line, D(5))], user=None
        )
    assert caught.value.errors == {
        "lines.0.quantity": [
            f"Only 4.000 left to ship on order line {line.pk} (6.000 backordered)."
        ]
    }
    ship(order, 4)
    order.refresh_from_db()
    assert order.status == Status.PARTIALLY_SHIPPED
    assert backordered(order) == D(6)


def test_cancelling_drops_the_backorder(warehouse, product):
    order = make_order((product, 10), warehouse=warehouse, allow_backorder=True, confirm=True)
    services.sales_order_cancel(order=order, user=None)
    assert backordered(order) == D(0)
    assert stock(product, warehouse) == (D(4), D(0))
    put_stock(product, warehouse, 6)
    assert stock(product, warehouse) == (D(10), D(0))


def test_closing_drops_the_backorder_and_cancels_the_rest(warehouse, product):
    order = make_order((product, 10), warehouse=warehouse, allow_backorder=True, confirm=True)
    ship(order, 4)

    closed = services.sales_order_close(order=order, user=None)

    assert closed.lines.get().quantity_backordered == D(0)
    line = order.lines.get()
    assert (line.quantity_shipped, line.quantity_cancelled) == (D(4), D(6))
    assert backordered(order) == D(0)
    assert stock(product, warehouse) == (D(0), D(0))


def test_allow_backorder_is_fixed_once_confirmed(warehouse, product):
    order = make_order((product, 1), warehouse=warehouse, confirm=True)
    with pytest.raises(errors.InvalidTransition):
        services.sales_order_update(order=order, user=None, allow_backorder=True)


# --- over HTTP --------------------------------------------------------------------------


def test_backorders_over_http(client_for, warehouse, product):
    sales = client_for(Role.SALES)
    created = sales.post(
        "/api/v1/sales-orders/",
        {
            "customer": make_order((product, 1), warehouse=warehouse).customer_id,
            "warehouse": warehouse.pk,
            "allow_backorder": True,
            "lines": [{"product": product.pk, "quantity": "10"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["allow_backorder"] is True
    assert created.json()["lines"][0]["quantity_backordered"] == "0.000"

    confirmed = sales.post(f"/api/v1/sales-orders/{created.json()['id']}/confirm/")

    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["lines"][0]["quantity_backordered"] == "6.000"
    shown = sales.get(f"/api/v1/sales-orders/{created.json()['id']}/")
    assert shown.json()["lines"][0]["quantity_backordered"] == "6.000"
