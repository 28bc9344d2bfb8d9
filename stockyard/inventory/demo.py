"""Demo warehouses and opening stock for ``manage.py seed_demo``."""

from decimal import Decimal

from stockyard.catalog.models import Product
from stockyard.inventory import services
from stockyard.inventory.models import StockMovement, Warehouse

WAREHOUSES = [
    ("MAIN", "Main warehouse", "1 Dock Road, Springfield"),
    ("EAST", "East depot", "22 Harbour Lane, Shelbyville"),
    ("WEST", "West depot", "9 Canyon Way, Capital City"),
]
OPENING_REASON = "opening stock"


def seed() -> list[str]:
    warehouses = [
        Warehouse.objects.filter(code=code).first()
        or services.warehouse_create(code=code, name=name, address=address)
        for code, name, address in WAREHOUSES
    ]
    if StockMovement.objects.filter(reason=OPENING_REASON).exists():
        return [f"Inventory: {len(warehouses)} warehouses, opening stock already posted."]
    products = list(Product.objects.filter(is_active=True).order_by("sku"))
    for index, product in enumerate(products):
        for position, warehouse in enumerate(warehouses):
            # Varied levels: some products start at or under their reorder point.
            quantity = Decimal((index * 7 + position * 13) % 60)
            if quantity:
                services.stock_adjust(
                    product=product,
                    warehouse=warehouse,
                    quantity=quantity,
                    reason=OPENING_REASON,
                    unit_cost=product.cost,
                )
    return [f"Inventory: {len(warehouses)} warehouses, opening stock for {len(products)} products."]
