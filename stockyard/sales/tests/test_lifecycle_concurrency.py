"""Past the happy path under real concurrency (PostgreSQL row locks, one thread each)."""

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.core.testing import run_concurrently
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.sales import services
from stockyard.sales.enums import SalesOrderStatus as Status
from stockyard.sales.models import SalesOrderLine
from stockyard.sales.tests.factories import make_order
from stockyard.shipping import services as shipping
from stockyard.shipping.enums import ShipmentStatus
from stockyard.shipping.services import ShipmentLineInput

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal
T = TypeVar("T")


def level(product, warehouse) -> StockLevel:
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def race(*tasks: Callable[[], T]) -> list[T | Exception]:
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
            lambda: shipping.shipment_ship(shipment=shipment, user=None),  # noqa: B023
            lambda: services.sales_order_close(order=order, user=None),  # noqa: B023
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
