"""Backfills run by hand after a deploy (docs/deployment.md, *Long backfills are not
migrations*): in batches, each in its own short transaction, idempotent."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from stockyard.core.decimals import ZERO
from stockyard.inventory.enums import MovementKind
from stockyard.inventory.models import StockMovement
from stockyard.sales.models import SalesOrder, SalesOrderLine
from stockyard.shipping.models import ShipmentLine

BATCH_SIZE = 500


def shipped_costs_backfill(*, batch_size: int = BATCH_SIZE) -> int:
    """Give sales order lines shipped before lines recorded ``shipped_cost`` (so still 0
    with something shipped) the cost their goods left at: for each shipped shipment line,
    its quantity x the ``unit_cost`` of that shipment's ledger movement of the product,
    or, where the ledger has no cost, the product's current ``cost``. Orders are locked
    as shipping locks them, so a shipment running meanwhile waits or is seen whole.
    Lines whose goods really cost 0 stay 0 (and are looked at again by a later run:
    harmless). Answers how many lines it changed."""
    changed, after = 0, 0
    while True:
        with transaction.atomic():
            ids = list(
                SalesOrderLine.objects.filter(pk__gt=after, quantity_shipped__gt=0, shipped_cost=0)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return changed
            after = ids[-1]
            changed += _backfill(ids)


def _backfill(ids: list[int]) -> int:
    orders = SalesOrderLine.objects.filter(pk__in=ids).values_list("order_id", flat=True)
    list(SalesOrder.objects.select_for_update().filter(pk__in=orders).order_by("pk"))
    lines = list(
        SalesOrderLine.objects.select_related("product").filter(
            pk__in=ids, quantity_shipped__gt=0, shipped_cost=0
        )
    )
    shipped = list(
        ShipmentLine.objects.filter(
            sales_order_line__in=lines, shipment__shipped_at__isnull=False
        ).values_list("sales_order_line_id", "shipment_id", "quantity")
    )
    movement_cost = {
        (shipment_id, product_id): unit_cost
        for shipment_id, product_id, unit_cost in StockMovement.objects.filter(
            kind=MovementKind.SHIPMENT,
            reference_type="shipment",
            reference_id__in={shipment_id for _, shipment_id, _ in shipped},
        ).values_list("reference_id", "product_id", "unit_cost")
    }
    by_line = {line.pk: line for line in lines}
    cost: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line_id, shipment_id, quantity in shipped:
        line = by_line[line_id]
        unit_cost = movement_cost.get((shipment_id, line.product_id)) or line.product.cost
        cost[line_id] += quantity * unit_cost
    fixed = [line for line in lines if cost[line.pk] > 0]
    for line in fixed:
        line.shipped_cost = cost[line.pk]
    SalesOrderLine.objects.bulk_update(fixed, ["shipped_cost"])
    return len(fixed)
