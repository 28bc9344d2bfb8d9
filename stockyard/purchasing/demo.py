"""Demo purchase orders for ``manage.py seed_demo``: one in every status.

Runs after the partners, catalog and inventory demo data; made through the services, so
receipts really post stock. Idempotent: orders carrying ``DEMO_MARKER`` in their notes
mean it already ran.
"""

from collections.abc import Callable
from decimal import Decimal

from stockyard.accounts.models import User
from stockyard.catalog.models import Product
from stockyard.inventory.models import Warehouse
from stockyard.partners.models import Supplier
from stockyard.purchasing import services
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.models import PurchaseOrder

DEMO_MARKER = "[demo]"

Step = Callable[[PurchaseOrder, User | None], PurchaseOrder]


def _submit(order: PurchaseOrder, user: User | None) -> PurchaseOrder:
    return services.purchase_order_submit(order=order, user=user)


def _receive(share: Decimal) -> Step:
    """Receive ``share`` (0..1] of every line."""

    def receive(order: PurchaseOrder, user: User | None) -> PurchaseOrder:
        receipts = [
            services.LineReceipt(line.pk, (line.quantity * share).quantize(Decimal(1)))
            for line in order.lines.all()
        ]
        return services.purchase_order_receive(order=order, lines=receipts, user=user)

    return receive


def _cancel(order: PurchaseOrder, user: User | None) -> PurchaseOrder:
    return services.purchase_order_cancel(order=order, user=user)


def _close(order: PurchaseOrder, user: User | None) -> PurchaseOrder:
    return services.purchase_order_close(order=order, user=user)


STORIES: dict[Status, list[Step]] = {
    Status.DRAFT: [],
    Status.SUBMITTED: [_submit],
    Status.PARTIALLY_RECEIVED: [_submit, _receive(Decimal("0.5"))],
    Status.RECEIVED: [_submit, _receive(Decimal(1))],
    Status.CANCELLED: [_submit, _cancel],
    Status.CLOSED: [_submit, _receive(Decimal("0.5")), _close],
}


def seed() -> list[str]:
    if PurchaseOrder.objects.filter(notes__startswith=DEMO_MARKER).exists():
        return ["Purchase orders: demo orders exist"]
    active = Product.objects.filter(is_active=True).order_by("id")
    supplier = (
        Supplier.objects.filter(is_active=True, products__in=active).order_by("id").first()
        or Supplier.objects.filter(is_active=True).order_by("id").first()
    )
    warehouse = Warehouse.objects.filter(is_active=True).order_by("id").first()
    # The supplier's own products where it has enough, else whatever is in the catalog.
    products = list(active.filter(supplier=supplier)[:6])
    if len(products) < 2:
        products = list(active[:6])
    if supplier is None or warehouse is None or len(products) < 2:
        return [
            "Purchase orders: skipped (needs an active supplier, warehouse and two products; "
            "seed partners, catalog and inventory first)"
        ]
    user = User.objects.filter(username="purchasing").first()
    lines = []
    for index, (status, steps) in enumerate(STORIES.items()):
        pair = [products[index % len(products)], products[(index + 1) % len(products)]]
        order = services.purchase_order_create(
            supplier=supplier,
            warehouse=warehouse,
            lines=[
                services.OrderLine(product, Decimal(10 * (n + 2))) for n, product in enumerate(pair)
            ],
            notes=f"{DEMO_MARKER} A {status.label.lower()} order.",
            user=user,
        )
        for step in steps:
            order = step(order, user)
        lines.append(f"  {order.number} {order.status:<19} {supplier.code} → {warehouse.code}")
    return ["Purchase orders (created):", *lines]
