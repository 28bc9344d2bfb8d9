"""Purchase orders for tests, made through the real services (totals, events, stock)."""

from collections.abc import Sequence
from decimal import Decimal

from stockyard.catalog.models import Product
from stockyard.inventory.models import Warehouse
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.partners.models import Supplier
from stockyard.partners.tests.factories import SupplierFactory
from stockyard.purchasing import services
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.models import PurchaseOrder

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
