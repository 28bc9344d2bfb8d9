"""Demo sales orders for ``manage.py seed_demo``, made through the services.

Runs after the partners, catalog and inventory demo data. Makes a draft, a cancelled and
a confirmed order, plus confirmed orders the shipping demo then ships in part, in full,
through to delivery, and in part before closing, so every status is on show.
Idempotent: orders carrying ``DEMO_MARKER`` in their notes mean it already ran.
"""

from decimal import Decimal

from stockyard.accounts.models import User
from stockyard.catalog.models import Product
from stockyard.inventory.models import Warehouse
from stockyard.partners.models import Customer
from stockyard.sales import services
from stockyard.sales.enums import SalesOrderStatus as Status
from stockyard.sales.models import SalesOrder
from stockyard.sales.services import OrderLineInput

DEMO_MARKER = "[demo]"
TO_SHIP_MARKER = f"{DEMO_MARKER} To ship:"
"""Notes of the confirmed orders the shipping demo takes over."""

# (final status here, notes); lines are two products, 2 and 4 units.
STORIES: list[tuple[Status, str]] = [
    (Status.DRAFT, f"{DEMO_MARKER} A draft still being put together."),
    (Status.CANCELLED, f"{DEMO_MARKER} Cancelled by the customer after confirmation."),
    (Status.CONFIRMED, f"{DEMO_MARKER} Confirmed, stock reserved, not yet picked."),
    (Status.CONFIRMED, f"{TO_SHIP_MARKER} a pending shipment."),
    (Status.CONFIRMED, f"{TO_SHIP_MARKER} its shipment cancelled before pickup."),
    (Status.CONFIRMED, f"{TO_SHIP_MARKER} part of it shipped."),
    (Status.CONFIRMED, f"{TO_SHIP_MARKER} all of it shipped, on its way."),
    (Status.CONFIRMED, f"{TO_SHIP_MARKER} shipped and delivered."),
    (Status.CONFIRMED, f"{TO_SHIP_MARKER} half shipped, the rest not coming: closed."),
]
QUANTITIES = (Decimal(2), Decimal(4))
# Enough for every confirmed order to take the larger quantity of one product.
MIN_AVAILABLE = Decimal(24)


def seed() -> list[str]:
    if SalesOrder.objects.filter(notes__startswith=DEMO_MARKER).exists():
        return ["Sales orders: demo orders exist"]
    customers = list(Customer.objects.filter(is_active=True).order_by("id")[:4])
    warehouse = Warehouse.objects.filter(is_active=True).order_by("id").first()
    products = list(
        Product.objects.filter(
            is_active=True,
            stock_levels__warehouse=warehouse,
            stock_levels__on_hand__gte=MIN_AVAILABLE,
            stock_levels__reserved=0,
        ).order_by("id")[:8]
    )
    if not customers or warehouse is None or len(products) < 2:
        return [
            "Sales orders: skipped (needs an active customer, and a warehouse with two stocked "
            "products; seed partners, catalog and inventory first)"
        ]
    user = User.objects.filter(username="sales").first()
    lines = []
    for index, (status, notes) in enumerate(STORIES):
        pair = [products[(2 * index + n) % len(products)] for n in range(2)]
        order = services.sales_order_create(
            customer=customers[index % len(customers)],
            warehouse=warehouse,
            lines=[
                OrderLineInput(product, quantity, tax_rate=Decimal("8.25"))
                for product, quantity in zip(pair, QUANTITIES, strict=True)
            ],
            notes=notes,
            user=user,
        )
        if status != Status.DRAFT:
            order = services.sales_order_confirm(order=order, user=user)
        if status == Status.CANCELLED:
            order = services.sales_order_cancel(order=order, user=user)
        lines.append(
            f"  {order.number} {order.status:<10} {order.customer.code:<14} {order.total:>9}"
        )
    return ["Sales orders (created):", *lines]
