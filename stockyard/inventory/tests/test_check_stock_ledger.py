import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock

pytestmark = pytest.mark.django_db


def test_a_consistent_ledger_passes(capsys):
    put_stock(ProductFactory(), WarehouseFactory(), 5)
    call_command("check_stock_ledger")
    assert "consistent" in capsys.readouterr().out


def test_drift_is_reported_with_exit_code_1(capsys):
    product, warehouse = ProductFactory(), WarehouseFactory()
    put_stock(product, warehouse, 5)
    StockLevel.objects.filter(product=product).update(on_hand=7)  # simulate corruption
    with pytest.raises(CommandError) as caught:
        call_command("check_stock_ledger")
    assert caught.value.returncode == 1
    err = capsys.readouterr().err
    assert product.sku in err and "ledger 5.000" in err and "difference 2.000" in err
