"""Real threads against PostgreSQL: the ledger never oversells and never deadlocks."""

from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.core.testing import run_concurrently
from stockyard.inventory import services
from stockyard.inventory.models import StockLevel, StockMovement
from stockyard.inventory.services import Reference, StockLine
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


def test_thirty_concurrent_single_unit_removals_against_ten_in_stock():
    product, warehouse = ProductFactory(), WarehouseFactory()
    put_stock(product, warehouse, 10)

    def remove_one(_: int) -> object:
        return services.stock_adjust(
            product=product, warehouse=warehouse, quantity=D("-1"), reason="race"
        )

    outcomes = run_concurrently(remove_one, 30)
    refused = [o for o in outcomes if isinstance(o, errors.InsufficientStock)]
    assert len(refused) == 20
    assert len(outcomes) - len(refused) == 10
    assert not [o for o in outcomes if isinstance(o, Exception) and o not in refused]
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert level.on_hand == 0
    assert StockMovement.objects.filter(product=product).count() == 11


def test_forty_crossing_transfers_never_deadlock_and_preserve_totals():
    product = ProductFactory()
    a, b = WarehouseFactory(), WarehouseFactory()
    put_stock(product, a, 100)
    put_stock(product, b, 100)

    def transfer(index: int) -> object:
        source, target = (a, b) if index % 2 else (b, a)
        return services.stock_transfer(
            product_id=product.pk,
            from_warehouse_id=source.pk,
            to_warehouse_id=target.pk,
            quantity=D("1"),
        )

    outcomes = run_concurrently(transfer, 40)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    levels = StockLevel.objects.filter(product=product)
    assert sum(level.on_hand for level in levels) == 200
    assert {level.warehouse_id: level.on_hand for level in levels} == {a.pk: 100, b.pk: 100}


def test_concurrent_reservations_of_the_last_units_never_over_reserve():
    first, second = ProductFactory(), ProductFactory()
    warehouse = WarehouseFactory()
    put_stock(first, warehouse, 5)
    put_stock(second, warehouse, 5)

    def reserve(index: int) -> object:
        # Two-line reservations naming the products in opposite orders.
        pair = [first, second] if index % 2 else [second, first]
        return services.stock_reserve(
            lines=[StockLine(p.pk, warehouse.pk, D("1")) for p in pair],
            reference=Reference("sales_order", index),
        )

    outcomes = run_concurrently(reserve, 12)
    refused = [o for o in outcomes if isinstance(o, errors.InsufficientStock)]
    assert len(refused) == 7
    assert not [o for o in outcomes if isinstance(o, Exception) and o not in refused]
    for product in (first, second):
        level = StockLevel.objects.get(product=product, warehouse=warehouse)
        assert level.reserved == level.on_hand == 5


def test_first_movements_into_new_levels_race_safely():
    """Levels that do not exist yet are created under contention without errors."""
    products = [ProductFactory() for _ in range(3)]
    warehouse = WarehouseFactory()

    def receive(index: int) -> object:
        ordered = products if index % 2 else list(reversed(products))
        return services.stock_receive(
            lines=[services.ReceiptLine(p.pk, warehouse.pk, D("1"), D("2.00")) for p in ordered],
            reference=Reference("purchase_order", index),
        )

    outcomes = run_concurrently(receive, 16)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert all(
        StockLevel.objects.get(product=p, warehouse=warehouse).on_hand == 16 for p in products
    )
