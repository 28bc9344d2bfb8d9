from decimal import Decimal

import pytest

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import CustomerFactory


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(code="MAIN")


@pytest.fixture
def other_warehouse(db):
    return WarehouseFactory(code="EAST")


@pytest.fixture
def widget(warehouse, other_warehouse):
    product = ProductFactory(sku="WIDGET", name="Widget", price=Decimal("10.00"))
    put_stock(product, warehouse, 1000, unit_cost="4.00")
    put_stock(product, other_warehouse, 1000, unit_cost="4.00")
    return product


@pytest.fixture
def gadget(warehouse):
    product = ProductFactory(sku="GADGET", name="Gadget", price=Decimal("25.00"))
    put_stock(product, warehouse, 1000, unit_cost="12.50")
    return product


@pytest.fixture
def manager(client_for):
    return client_for(Role.MANAGER)


@pytest.fixture
def customers(alice, bob):
    return alice, bob


@pytest.fixture
def alice(db):
    return CustomerFactory(name="Alice Ltd")


@pytest.fixture
def bob(db):
    return CustomerFactory(name="Bob & Co")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Export files go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
