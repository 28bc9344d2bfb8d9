from decimal import Decimal

import pytest
from django.core.management import call_command

from stockyard.catalog.models import Product
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock

pytestmark = pytest.mark.django_db


def test_copy_reorder_points_mends_what_the_previous_release_left(capsys):
    """Levels it created (default 0) and products whose point it changed without their
    levels: all copied, in batches; a second run changes nothing."""
    warehouses = [WarehouseFactory() for _ in range(3)]
    products = [ProductFactory(reorder_point=Decimal(point)) for point in (4, 9)]
    for product in products:
        for warehouse in warehouses:
            put_stock(product, warehouse, 1)
    StockLevel.objects.filter(product=products[0]).update(reorder_point=0)
    Product.objects.filter(pk=products[1].pk).update(reorder_point=12)

    call_command("copy_reorder_points", "--batch-size", "2")

    assert "copied to 6 level(s)" in capsys.readouterr().out
    assert dict(StockLevel.objects.values_list("product", "reorder_point").distinct()) == {
        products[0].pk: Decimal(4),
        products[1].pk: Decimal(12),
    }
    call_command("copy_reorder_points")
    assert "copied to 0 level(s)" in capsys.readouterr().out
