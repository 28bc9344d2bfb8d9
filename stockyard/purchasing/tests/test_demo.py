import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.models import StockMovement
from stockyard.purchasing import demo
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.models import PurchaseOrder

pytestmark = pytest.mark.django_db


def test_demo_orders_in_every_status_once(warehouse, supplier):
    for _ in range(3):
        ProductFactory(supplier=supplier)
    lines = demo.seed()
    assert sorted(PurchaseOrder.objects.values_list("status", flat=True)) == sorted(Status)
    assert len(lines) == 1 + len(Status)
    assert StockMovement.objects.filter(reference_type="purchase_order").exists()

    assert demo.seed() == ["Purchase orders: demo orders exist"]
    assert PurchaseOrder.objects.count() == len(Status)


def test_demo_waits_for_products_suppliers_and_warehouses():
    [line] = demo.seed()
    assert "skipped" in line
    assert not PurchaseOrder.objects.exists()
