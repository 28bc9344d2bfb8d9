"""Supplier returns: received goods sent back, the moving-average cost kept right."""

from decimal import Decimal

import pytest

from stockyard.accounts.roles import Role
from stockyard.core import errors
from stockyard.inventory.enums import MovementKind
from stockyard.inventory.models import StockLevel, StockMovement
from stockyard.inventory.services import Reference, StockLine, stock_reserve
from stockyard.inventory.tests.factories import put_stock
from stockyard.purchasing import services
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.services import LineReceipt
from stockyard.purchasing.tests.factories import make_purchase_order

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def received(product, warehouse):
    """10 received at 6.00 on top of 10 on hand at 4.00: average 5.00."""
    put_stock(product, warehouse, 10, unit_cost="4.00")
    order = make_purchase_order(
        [(product, 10, "6.00")], warehouse=warehouse, status=Status.SUBMITTED
    )
    return services.purchase_order_receive(
        order=order, lines=[LineReceipt(order.lines.get().pk, D(10))], user=None
    )


def send_back(order, quantity):
    return services.purchase_order_return(
        order=order, lines=[LineReceipt(order.lines.get().pk, D(quantity))], user=None
    )


def level(product, warehouse) -> StockLevel:
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def test_goods_leave_at_their_purchase_cost_and_the_average_follows(
    received, product, warehouse, emitted
):
    assert level(product, warehouse).average_cost == D("5.0000")

    send_back(received, 4)

    movement = StockMovement.objects.get(kind=MovementKind.RETURN)
    assert (movement.quantity, movement.unit_cost) == (D(-4), D("6.0000"))
    assert (movement.reference_type, movement.reference_id) == ("purchase_order", received.pk)
    stock = level(product, warehouse)
    assert stock.on_hand == D(16)
    assert stock.average_cost == D("4.7500")  # (100 - 24) / 16: value falls by what left
    assert received.lines.get().quantity_returned == D(4)
    received.refresh_from_db()
    assert received.status == Status.RECEIVED  # the status stays
    assert emitted("purchase_order.returned")[0]["data"]["lines"][0]["quantity"] == "4.000"


def test_returning_everything_received_reverses_the_receipt_exactly(received, product, warehouse):
    send_back(received, 10)
    stock = level(product, warehouse)
    assert (stock.on_hand, stock.average_cost) == (D(10), D("4.0000"))


def test_more_than_received_less_returned_is_409_conflict(received):
    send_back(received, 8)
    with pytest.raises(errors.Conflict) as caught:
        send_back(received, 3)
    assert caught.value.code == "conflict"
    assert list(caught.value.errors) == ["lines.0.quantity"]
    assert received.lines.get().quantity_returned == D(8)


def test_more_than_available_is_409_insufficient_stock(received, product, warehouse):
    stock_reserve(
        lines=[StockLine(product.pk, warehouse.pk, D(15))], reference=Reference("sales_order", 1)
    )
    with pytest.raises(errors.InsufficientStock):
        send_back(received, 6)
    assert received.lines.get().quantity_returned == D(0)
    assert level(product, warehouse).on_hand == D(20)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.CANCELLED])
def test_only_orders_with_receipts_send_goods_back(product, warehouse, status):
    order = make_purchase_order([(product, 5)], warehouse=warehouse, status=status)
    with pytest.raises(errors.InvalidTransition):
        send_back(order, 1)


def test_a_closed_order_can_still_send_back_what_it_received(product, warehouse):
    order = make_purchase_order([(product, 5, "4.00")], warehouse=warehouse, status=Status.CLOSED)
    send_back(order, 1)
    assert order.lines.get().quantity_returned == D(1)


# --- over HTTP --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PURCHASING, Role.WAREHOUSE])
def test_supplier_returns_over_http(client_for, received, role):
    line = received.lines.get()
    response = client_for(role).post(
        f"/api/v1/purchase-orders/{received.pk}/return/",
        {"lines": [{"line": line.pk, "quantity": "2"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["lines"][0]["quantity_returned"] == "2.000"


def test_supplier_returns_refusals_over_http(client_for, received, product, warehouse):
    client = client_for(Role.PURCHASING)
    url = f"/api/v1/purchase-orders/{received.pk}/return/"
    line = received.lines.get()
    over = client.post(url, {"lines": [{"line": line.pk, "quantity": "11"}]}, format="json")
    assert (over.status_code, over.json()["code"]) == (409, "conflict")
    stock_reserve(
        lines=[StockLine(product.pk, warehouse.pk, D(19))], reference=Reference("sales_order", 1)
    )
    short = client.post(url, {"lines": [{"line": line.pk, "quantity": "2"}]}, format="json")
    assert (short.status_code, short.json()["code"]) == (409, "insufficient_stock")
    bad = client.post(url, {"lines": [{"line": 0, "quantity": "1"}]}, format="json")
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["lines.0.line"])
    denied = client_for(Role.SALES).post(
        url, {"lines": [{"line": line.pk, "quantity": "1"}]}, format="json"
    )
    assert denied.status_code == 403
