"""Purchase orders for tests, made through the real services (totals, events, stock)."""

from collections.abc import Sequence
from decimal import Decimal

from stockyard.catalog.models import Product
from stockyard.inventory.models import Warehouse
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.partners.models import Supplier
from stockyard.partners.tests.factories import SupplierFactory
from stockyard.purchasing import services
from stockyard.purchasing.enums import ON_ORDER_STATUSES
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.models import OnOrder, PurchaseOrder, PurchaseOrderLine

LineSpec = tuple[Product, Decimal | int | str] | tuple[Product, Decimal | int | str, str]


def make_purchase_order(
    lines: Sequence[LineSpec],
    *,
    supplier: Supplier | None = None,
    warehouse: Warehouse | None = None,
    status: Status = Status.DRAFT,
) -> PurchaseOrder:
    """An order in ``status``, walked there through the services.

    Lines are ``(product, quantity)`` or ``(product, quantity, unit_cost)``. Partially
    received and closed orders have received one unit of their first line; received
    orders everything.
    """
    order = services.purchase_order_create(
        supplier=supplier or SupplierFactory.create(),
        warehouse=warehouse or WarehouseFactory.create(),
        lines=[
            services.OrderLine(
                product=spec[0],
                quantity=Decimal(spec[1]),
                unit_cost=Decimal(spec[2]) if len(spec) == 3 else None,
            )
            for spec in lines
        ],
        user=None,
    )
    if status == Status.DRAFT:
        return order
    order = services.purchase_order_submit(order=order, user=None)
    if status == Status.CANCELLED:
        return services.purchase_order_cancel(order=order, user=None)
    if status in (Status.PARTIALLY_RECEIVED, Status.CLOSED):
        first = order.lines.first()
        assert first is not None and first.quantity > 1
        order = services.purchase_order_receive(
            order=order, lines=[services.LineReceipt(first.pk, Decimal(1))], user=None
        )
    if status == Status.RECEIVED:
        order = services.purchase_order_receive(
            order=order,
            lines=[services.LineReceipt(line.pk, line.quantity) for line in order.lines.all()],
            user=None,
        )
    if status == Status.CLOSED:
        order = services.purchase_order_close(order=order, user=None)
    assert order.status == status
    return order


def on_order_from_the_documents() -> dict[tuple[int, int], Decimal]:
    """What every unfinished order still has outstanding per pair, added up line by line
    in Python from the documents (no query shared with the selector or the kept rows)."""
    found: dict[tuple[int, int], Decimal] = {}
    for line in PurchaseOrderLine.objects.select_related("order"):
        if line.order.status in ON_ORDER_STATUSES:
            pair = (line.product_id, line.order.warehouse_id)
            found[pair] = found.get(pair, Decimal(0)) + line.quantity - line.quantity_received
    return {pair: total for pair, total in found.items() if total}


def on_order_kept() -> dict[tuple[int, int], Decimal]:
    """The kept on-order rows, per pair."""
    return {(row.product_id, row.warehouse_id): row.quantity for row in OnOrder.objects.all()}
