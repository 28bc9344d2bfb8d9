from decimal import Decimal

import factory

from stockyard.catalog.models import Product
from stockyard.inventory import services
from stockyard.inventory.models import StockLevel, Warehouse


class WarehouseFactory(factory.django.DjangoModelFactory[Warehouse]):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"WH{n:02d}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")


def put_stock(
    product: Product, warehouse: Warehouse, quantity: Decimal | int | str, unit_cost: str = "5.00"
) -> StockLevel:
    """Opening stock through the real service, so the ledger stays consistent."""
    services.stock_adjust(
        product=product,
        warehouse=warehouse,
        quantity=Decimal(quantity),
        reason="opening",
        unit_cost=Decimal(unit_cost),
    )
    return StockLevel.objects.get(product=product, warehouse=warehouse)
