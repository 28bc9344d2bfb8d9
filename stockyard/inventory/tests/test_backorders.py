"""The backorder queue: what could not be reserved waits, and arrivals fill it in order."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.events.models import Event
from stockyard.inventory import services
from stockyard.inventory.models import StockBackorder, StockLevel
from stockyard.inventory.services import CountLine, Demand, ReceiptLine, Reference
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock

pytestmark = pytest.mark.django_db

D = Decimal
START = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture
def product():
    return ProductFactory()


@pytest.fixture
def warehouse():
    return WarehouseFactory()


def level(product, warehouse) -> tuple[Decimal, Decimal]:
    found = StockLevel.objects.get(product=product, warehouse=warehouse)
    return found.on_hand, found.reserved


def waiting() -> dict[int, Decimal]:
    return dict(StockBackorder.objects.values_list("line_id", "quantity"))


def queue(product, warehouse, order: int, quantity, *, minutes: int = 0) -> dict[int, Decimal]:
    """Order ``order`` (line ``order * 10``) confirmed ``minutes`` after START."""
    return services.stock_reserve_or_backorder(
        lines=[Demand(product.pk, warehouse.pk, D(quantity), order * 10)],
        reference=Reference("sales_order", order, f"SO-{order:06d}"),
        queued_at=START + timedelta(minutes=minutes),
    )


def receive(product, warehouse, quantity) -> None:
    services.stock_receive(
        lines=[ReceiptLine(product.pk, warehouse.pk, D(quantity), D("2.00"))],
        reference=Reference("purchase_order", 1),
    )


def test_what_is_not_available_waits(product, warehouse):
    put_stock(product, warehouse, 3)
    assert queue(product, warehouse, 1, 5) == {10: D(2)}
    assert level(product, warehouse) == (D(3), D(3))
    assert waiting() == {10: D(2)}
    assert queue(product, warehouse, 2, 1, minutes=1) == {20: D(1)}  # nothing left
    assert queue(product, warehouse, 3, 1, minutes=2) == {30: D(1)}


def test_a_line_reserved_in_full_does_not_queue(product, warehouse):
    put_stock(product, warehouse, 3)
    assert queue(product, warehouse, 1, 3) == {10: D(0)}
    assert waiting() == {}


def test_arrivals_fill_the_oldest_confirmation_first(product, warehouse):
    queue(product, warehouse, 2, 4, minutes=5)
    queue(product, warehouse, 1, 4, minutes=1)  # confirmed earlier: first in line
    receive(product, warehouse, 6)
    assert waiting() == {20: D(2)}
    assert level(product, warehouse) == (D(6), D(6))
    filled = [event.data for event in Event.objects.filter(type="sales_order.backorder_filled")]
    assert filled == [
        {
            "id": 1,
            "number": "SO-000001",
            "status": None,  # no such sales order: the queue here is made by hand
            "warehouse": warehouse.pk,
            "lines": [
                {
                    "line": 10,
                    "product": product.pk,
                    "quantity_filled": "4.000",
                    "quantity_backordered": "0.000",
                }
            ],
        },
        {
            "id": 2,
            "number": "SO-000002",
            "status": None,  # no such sales order: the queue here is made by hand
            "warehouse": warehouse.pk,
            "lines": [
                {
                    "line": 20,
                    "product": product.pk,
                    "quantity_filled": "2.000",
                    "quantity_backordered": "2.000",
                }
            ],
        },
    ]


def test_every_movement_that_raises_availability_fills(product, warehouse):
    other = WarehouseFactory()
    put_stock(product, other, 10)
    queue(product, warehouse, 1, 10)
    services.stock_adjust(product=product, warehouse=warehouse, quantity=D(1), reason="found")
    assert waiting() == {10: D(9)}
    services.stock_transfer(
        product_id=product.pk,
        from_warehouse_id=other.pk,
        to_warehouse_id=warehouse.pk,
        quantity=D(2),
    )
    assert waiting() == {10: D(7)}
    services.stock_count(warehouse_id=warehouse.pk, lines=[CountLine(product.pk, D(6))])
    assert waiting() == {10: D(4)}
    services.stock_return(
        lines=[ReceiptLine(product.pk, warehouse.pk, D(4), D("2.00"))],
        reference=Reference("return", 1),
    )
    assert waiting() == {}
    assert level(product, warehouse) == (D(10), D(10))


def test_released_stock_goes_to_the_queue_before_anyone_else(product, warehouse):
    put_stock(product, warehouse, 5)
    queue(product, warehouse, 1, 5)  # reserves all five
    queue(product, warehouse, 2, 3, minutes=1)  # waits for three
    services.stock_release(
        lines=[Demand(product.pk, warehouse.pk, D(5), 10)], reference=Reference("sales_order", 1)
    )
    assert waiting() == {}
    assert level(product, warehouse) == (D(5), D(3))


def test_release_drops_the_lines_place_in_the_queue_and_gives_back_its_reservation(
    product, warehouse
):
    put_stock(product, warehouse, 2)
    queue(product, warehouse, 1, 5)
    services.stock_release(
        lines=[Demand(product.pk, warehouse.pk, D(5), 10)], reference=Reference("sales_order", 1)
    )
    assert waiting() == {}
    assert level(product, warehouse) == (D(2), D(0))
    receive(product, warehouse, 3)
    assert level(product, warehouse) == (D(5), D(0))  # nobody waits any more


def test_arrivals_in_another_warehouse_fill_nothing(product, warehouse):
    queue(product, warehouse, 1, 2)
    receive(product, WarehouseFactory(), 5)
    assert waiting() == {10: D(2)}


def test_an_arrival_that_raises_nothing_available_queries_no_queue(
    product, warehouse, django_assert_max_num_queries
):
    put_stock(product, warehouse, 5)
    # savepoint, lock, the product's unit, write the level, the movement, the events, release
    with django_assert_max_num_queries(7):
        services.stock_adjust(product=product, warehouse=warehouse, quantity=D(-1), reason="broken")
