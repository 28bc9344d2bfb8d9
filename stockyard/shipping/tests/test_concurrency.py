"""Real parallel requests against PostgreSQL: shipments never over-ship or deadlock."""

from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.core.testing import run_concurrently
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.sales import services as sales_services
from stockyard.sales.models import SalesOrder
from stockyard.sales.tests.factories import make_order
from stockyard.shipping import services
from stockyard.shipping.enums import ShipmentStatus
from stockyard.shipping.models import Shipment
from stockyard.shipping.services import ShipmentLineInput

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


def test_racing_shipments_of_one_line_never_exceed_what_is_left():
    product, warehouse = ProductFactory(), WarehouseFactory()
    put_stock(product, warehouse, 10)
    order = make_order((product, 5), warehouse=warehouse, confirm=True)
    line = order.lines.get()

    outcomes = run_concurrently(
        lambda _: services.shipment_create(
            sales_order=order, lines=[ShipmentLineInput(line, D(1))], user=None
        ),
        12,
    )

    refused = [o for o in outcomes if isinstance(o, errors.Conflict)]
    assert len(refused) == 7
    assert {error.code for error in refused} == {"conflict"}
    assert Shipment.objects.filter(status=ShipmentStatus.PENDING).count() == 5


def test_shipping_while_the_order_is_cancelled_never_deadlocks():
    product, warehouse = ProductFactory(), WarehouseFactory()
    put_stock(product, warehouse, 100)
    pairs = []
    for _ in range(10):
        order = make_order((product, 2), warehouse=warehouse, confirm=True)
        shipment = services.shipment_create(
            sales_order=order, lines=[ShipmentLineInput(order.lines.get(), D(2))], user=None
        )
        pairs.append((order, shipment))

    def race(index: int) -> object:
        order, shipment = pairs[index // 2]
        if index % 2:
            return sales_services.sales_order_cancel(order=order, user=None)
        return services.shipment_ship(shipment=shipment, user=None)

    outcomes = run_concurrently(race, 20)

    # Per pair exactly one wins: shipped (then cancel is refused) or cancelled (then ship is).
    unexpected = [
        o
        for o in outcomes
        if isinstance(o, Exception) and not isinstance(o, errors.InvalidTransition)
    ]
    assert not unexpected
    assert sum(isinstance(o, errors.InvalidTransition) for o in outcomes) == 10
    shipped = Shipment.objects.filter(status=ShipmentStatus.SHIPPED).count()
    cancelled = SalesOrder.objects.filter(status="cancelled").count()
    assert shipped + cancelled == 10
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert level.on_hand == 100 - 2 * shipped
    assert level.reserved == 0
