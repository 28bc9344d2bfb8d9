from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.models import StockLevel, StockMovement
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.partners.tests.factories import SupplierFactory


@pytest.fixture
def supplier(db):
    return SupplierFactory()


@pytest.fixture
def warehouse(db):
    return WarehouseFactory()


@pytest.fixture
def product(supplier):
    return ProductFactory(supplier=supplier, cost=Decimal("4.00"))


@pytest.fixture
def other_product(supplier):
    return ProductFactory(supplier=supplier, cost=Decimal("2.50"))


@pytest.fixture
def stock_snapshot(db: None):
    """Everything a refused receipt must leave untouched: levels and the ledger."""

    def snapshot() -> tuple[list[tuple], int]:
        levels = list(
            StockLevel.objects.order_by("pk").values_list("pk", "on_hand", "average_cost")
        )
        return levels, StockMovement.objects.count()

    return snapshot
