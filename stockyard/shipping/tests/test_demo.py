"""The sales and shipping demo data together: every status, once, through the services."""

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.sales import demo as sales_demo
from stockyard.sales.enums import SalesOrderStatus
from stockyard.sales.models import SalesOrder
from stockyard.shipping import demo as shipping_demo
from stockyard.shipping.enums import ShipmentStatus
from stockyard.shipping.models import Shipment

pytestmark = pytest.mark.django_db


def test_without_customers_products_or_stock_nothing_is_made_and_it_says_so():
    assert "skipped" in sales_demo.seed()[0]
    assert "skipped" in shipping_demo.seed()[0]
    assert not SalesOrder.objects.exists()


def test_demo_orders_and_shipments_show_every_status_once_only():
    CustomerFactory()
    warehouse = WarehouseFactory()
    for product in (ProductFactory(), ProductFactory()):
        put_stock(product, warehouse, 30)

    assert sales_demo.seed()[0] == "Sales orders (created):"
    assert shipping_demo.seed()[0] == "Shipments (created):"

    assert set(SalesOrder.objects.values_list("status", flat=True)) == set(SalesOrderStatus)
    assert set(Shipment.objects.values_list("status", flat=True)) == set(ShipmentStatus)
    counts = (SalesOrder.objects.count(), Shipment.objects.count())
    assert sales_demo.seed() == ["Sales orders: demo orders exist"]
    assert shipping_demo.seed() == ["Shipments: demo shipments exist"]
    assert (SalesOrder.objects.count(), Shipment.objects.count()) == counts
