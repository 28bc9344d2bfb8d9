"""Past the happy path under real concurrency (PostgreSQL row locks, one thread each)."""

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.core.testing import run_concurrently
from stockyard.events.models import Event
from stockyard.inventory.models import StockBackorder, StockLevel
from stockyard.inventory.services import stock_adjust
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.purchasing.enums import PurchaseOrderStatus
from stockyard.purchasing.services import LineReceipt, purchase_order_receive
from stockyard.purchasing.tests.factories import make_purchase_order
from stockyard.sales import returns, services
from stockyard.sales.enums import SalesOrderStatus as Status
from stockyard.sales.models import CustomerReturn, SalesOrderLine
from stockyard.sales.returns import ReturnLineInput
from stockyard.sales.selectors import sales_order_lines
from stockyard.sales.services import OPEN_STATUSES
from stockyard.sales.tests.factories import make_order
from stockyard.shipping import services as shipping
from stockyard.shipping.enums import ShipmentStatus
from stockyard.shipping.services import ShipmentLineInput

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


def level(product, warehouse) -> StockLevel:
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def backordered(order) -> Decimal:
    return sales_order_lines().get(order=order).quantity_backordered


def race(*tasks: Callable[[], Any]) -> list[Any]:
    """Each task in its own thread, released together; exceptions come back as results."""
    return run_concurrently(lambda index: tasks[index](), len(tasks))


def test_close_racing_a_shipment_leaves_one_consistent_story():
    product, warehouse = ProductFactory(), WarehouseFactory()
    put_stock(product, warehouse, 10)
    for _ in range(5):  # the race is decided by timing: run it several times
        order = make_order((product, 10), warehouse=warehouse, confirm=True)
        line = order.lines.get()
        shipment = shipping.shipment_create(
            sales_order=order, lines=[ShipmentLineInput(line, D(4))], user=None
        )
        ship, close = race(
            partial(shipping.shipment_ship, shipment=shipment, user=None),
            partial(services.sales_order_close, order=order, user=None),
        )
        assert not isinstance(close, Exception), close
        line = SalesOrderLine.objects.get(pk=line.pk)
        order.refresh_from_db()
        shipment.refresh_from_db()
        assert order.status == Status.CLOSED
        if isinstance(ship, Exception):  # closed first: nothing shipped, all cancelled
            assert isinstance(ship, errors.InvalidTransition)
            assert shipment.status == ShipmentStatus.PENDING
            assert (line.quantity_shipped, line.quantity_cancelled) == (D(0), D(10))
            stock = level(product, warehouse)
            assert (stock.on_hand, stock.reserved) == (D(10), D(0))
        else:  # shipped first: the close released the six left
            assert shipment.status == ShipmentStatus.SHIPPED
            assert (line.quantity_shipped, line.quantity_cancelled) == (D(4), D(6))
            stock = level(product, warehouse)
            assert (stock.on_hand, stock.reserved) == (D(6), D(0))
            put_stock(product, warehouse, 4)  # back to ten for the next round


def test_a_return_racing_a_shipment_of_the_same_line_never_over_returns():
    product, warehouse = ProductFactory(), WarehouseFactory()
    put_stock(product, warehouse, 100)
    for _ in range(5):
        order = make_order((product, 10), warehouse=warehouse, confirm=True)
        line = order.lines.get()
        first = shipping.shipment_create(
            sales_order=order, lines=[ShipmentLineInput(line, D(4))], user=None
        )
        shipping.shipment_ship(shipment=first, user=None)
        rest = shipping.shipment_create(
            sales_order=order, lines=[ShipmentLineInput(line, D(6))], user=None
        )
        ship, back = race(
            partial(shipping.shipment_ship, shipment=rest, user=None),
            partial(
                returns.customer_return_request,
                sales_order=order,
                lines=[ReturnLineInput(line, D(10))],
                user=None,
            ),
        )
        assert not isinstance(ship, Exception), ship
        line.refresh_from_db()
        assert line.quantity_shipped == D(10)
        if isinstance(back, Exception):  # asked before the rest shipped: only 4 were out
            assert isinstance(back, errors.Conflict)
            assert back.code == "conflict"
            assert not CustomerReturn.objects.filter(sales_order=order).exists()
        else:
            assert back.lines.get().quantity == D(10)


def test_twenty_backordered_orders_are_filled_by_concurrent_receipts_in_confirmation_order():
    product, warehouse = ProductFactory(), WarehouseFactory()
    orders = [
        make_order((product, 1), warehouse=warehouse, allow_backorder=True, confirm=True)
        for _ in range(20)
    ]
    purchases = [
        make_purchase_order(
            [(product, 1, "2.00")], warehouse=warehouse, status=PurchaseOrderStatus.SUBMITTED
        )
        for _ in range(20)
    ]

    def receive(index: int) -> object:
        purchase = purchases[index]
        return purchase_order_receive(
            order=purchase, lines=[LineReceipt(purchase.lines.get().pk, D(1))], user=None
        )

    outcomes = run_concurrently(receive, 10)  # half of them first

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    waiting = [backordered(order) for order in orders]
    assert waiting == [D(0)] * 10 + [D(1)] * 10  # the ten confirmed first, exactly
    stock = level(product, warehouse)
    assert (stock.on_hand, stock.reserved) == (D(10), D(10))

    outcomes = run_concurrently(lambda index: receive(10 + index), 10)

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert [backordered(order) for order in orders] == [D(0)] * 20
    stock = level(product, warehouse)
    assert (stock.on_hand, stock.reserved) == (D(20), D(20))
    filled = Event.objects.filter(type="sales_order.backorder_filled")
    assert sorted(event.data["id"] for event in filled) == [order.pk for order in orders]


def test_arrivals_racing_confirmations_and_cancellations_never_oversell():
    product, warehouse = ProductFactory(), WarehouseFactory()
    put_stock(product, warehouse, 5)
    early = [
        make_order((product, 3), warehouse=warehouse, allow_backorder=True, confirm=True)
        for _ in range(6)
    ]
    drafts = [
        make_order((product, 2), warehouse=warehouse, allow_backorder=index % 2 == 0)
        for index in range(12)
    ]

    def task(index: int) -> object:
        if index < 12:
            return services.sales_order_confirm(order=drafts[index], user=None)
        if index < 18:
            return stock_adjust(
                product=product, warehouse=warehouse, quantity=D(2), reason="arrival"
            )
        return services.sales_order_cancel(order=early[index - 18], user=None)

    outcomes = run_concurrently(task, 24)

    refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert all(isinstance(outcome, errors.InsufficientStock) for outcome in refused), refused
    stock = level(product, warehouse)
    assert stock.on_hand == D(5 + 12)
    held = D(0)
    for line in sales_order_lines().select_related("order"):
        assert 0 <= line.quantity_backordered <= line.quantity_unshipped <= line.quantity
        if line.order.status in OPEN_STATUSES:
            held += line.quantity_unshipped - line.quantity_backordered
    assert stock.reserved == held <= stock.on_hand  # nothing reserved twice
    if StockBackorder.objects.exists():
        assert stock.available == 0  # nothing left lying about while a line waits
