"""Closing a sales order: the unshipped rest is released and recorded as cancelled."""

from decimal import Decimal

import pytest

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.sales import services
from stockyard.sales.enums import SalesOrderStatus as Status
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
    put_stock(product, warehouse, 10)
    return product


def test_closing_a_partly_shipped_order_releases_and_cancels_the_rest(warehouse, product, emitted):
    order = make_order((product, 10), warehouse=warehouse, confirm=True)
    ship(order, 4)
    assert stock(product, warehouse) == (D(6), D(6))

    closed = services.sales_order_close(order=order, user=None)

    assert closed.status == Status.CLOSED
    line = order.lines.get()
    assert (line.quantity_shipped, line.quantity_cancelled, line.quantity_unshipped) == (
        D(4),
        D(6),
        D(0),
    )
    assert stock(product, warehouse) == (D(6), D(0))
    assert emitted("sales_order.closed")[0]["data"]["status"] == "closed"
    # The six released are there for the next order.
    make_order((product, 6), warehouse=warehouse, confirm=True)


def test_closing_a_confirmed_order_releases_everything(warehouse, product):
    order = make_order((product, 3), warehouse=warehouse, confirm=True)
    services.sales_order_close(order=order, user=None)
    assert order.lines.get().quantity_cancelled == D(3)
    assert stock(product, warehouse) == (D(10), D(0))


def test_a_closed_order_no_longer_holds_the_customers_credit(warehouse, product):
    customer = CustomerFactory(credit_limit=D("100.00"))
    order = make_order((product, 10), customer=customer, warehouse=warehouse, confirm=True)
    ship(order, 4)
    with pytest.raises(errors.Conflict):
        make_order((product, 1), customer=customer, warehouse=warehouse, confirm=True)

    services.sales_order_close(order=order, user=None)

    make_order((product, 6), customer=customer, warehouse=warehouse, confirm=True)


def test_nothing_more_ships_against_a_closed_order(warehouse, product):
    order = make_order((product, 10), warehouse=warehouse, confirm=True)
    line = order.lines.get()
    pending = shipping.shipment_create(
        sales_order=order, lines=[ShipmentLineInput(line, D(5))], user=None
    )
    services.sales_order_close(order=order, user=None)

    with pytest.raises(errors.InvalidTransition):
        shipping.shipment_ship(shipment=pending, user=None)
    with pytest.raises(errors.InvalidTransition):
        shipping.shipment_create(
            sales_order=order, lines=[ShipmentLineInput(line, D(1))], user=None
        )
    shipping.shipment_cancel(shipment=pending, user=None)  # the pending one can be called off
    assert stock(product, warehouse) == (D(10), D(0))


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SHIPPED, Status.CANCELLED, Status.CLOSED])
def test_only_confirmed_or_partly_shipped_orders_close(warehouse, product, status):
    order = make_order((product, 2), warehouse=warehouse, confirm=status != Status.DRAFT)
    if status == Status.SHIPPED:
        ship(order, 2)
    elif status == Status.CANCELLED:
        services.sales_order_cancel(order=order, user=None)
    elif status == Status.CLOSED:
        services.sales_order_close(order=order, user=None)

    with pytest.raises(errors.InvalidTransition, match=f"it is {status}"):
        services.sales_order_close(order=order, user=None)


# --- over HTTP --------------------------------------------------------------------------


def test_close_over_http(client_for, warehouse, product):
    order = make_order((product, 10), warehouse=warehouse, confirm=True)
    ship(order, 4)
    sales = client_for(Role.SALES)

    response = sales.post(f"/api/v1/sales-orders/{order.pk}/close/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "closed"
    assert body["lines"][0]["quantity_shipped"] == "4.000"
    assert body["lines"][0]["quantity_cancelled"] == "6.000"
    again = sales.post(f"/api/v1/sales-orders/{order.pk}/close/")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


def test_closing_is_sales_work(client_for, warehouse, product):
    order = make_order((product, 1), warehouse=warehouse, confirm=True)
    response = client_for(Role.WAREHOUSE).post(f"/api/v1/sales-orders/{order.pk}/close/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_shipping_more_of_a_closed_order_is_409_over_http(client_for, warehouse, product):
    order = make_order((product, 10), warehouse=warehouse, confirm=True)
    line = order.lines.get()
    services.sales_order_close(order=order, user=None)
    response = client_for(Role.WAREHOUSE).post(
        "/api/v1/shipments/",
        {"sales_order": order.pk, "lines": [{"sales_order_line": line.pk, "quantity": "1"}]},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
