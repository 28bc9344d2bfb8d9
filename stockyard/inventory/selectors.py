"""Reads of stock, tuned for the API (one query per page, whatever its size)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from stockyard.core.decimals import ZERO, quantity
from stockyard.inventory.models import (
    COST_PLACES,
    SORT_KEY,
    STOCK_VALUE_DIGITS,
    StockBackorder,
    StockLevel,
    StockMovement,
    Warehouse,
)


def stock_level_list() -> QuerySet[StockLevel]:
    """Levels with their product and warehouse, by product SKU then warehouse code: by
    the levels' copies of both (``SORT_KEY``, the same order), so a page's ids come from
    the order's index however deep it is (``core.pagination``), not from joining every
    level before the page to its product and warehouse."""
    return (
        StockLevel.objects.select_related("product", "warehouse")
        .annotate(
            available_quantity=F("on_hand") - F("reserved"),
            value=ExpressionWrapper(
                F("on_hand") * F("average_cost"),
                output_field=DecimalField(
                    max_digits=STOCK_VALUE_DIGITS, decimal_places=COST_PLACES
                ),
            ),
        )
        .order_by(*SORT_KEY)
    )


def stock_movement_list() -> QuerySet[StockMovement]:
    return StockMovement.objects.select_related("product", "warehouse", "created_by")


def backordered_quantity(*, reference_type: str) -> Coalesce:
    """An annotation for rows of document lines (``reference_type``'s): how much of each
    line still waits in the backorder queue, 0 for none."""
    waiting = StockBackorder.objects.filter(
        reference_type=reference_type, line_id=OuterRef("pk")
    ).values("quantity")
    return Coalesce(Subquery(waiting), Value(Decimal(0)))


def stock_has_movements(*, product_id: int, warehouse_id: int) -> bool:
    """Whether the product's stock in the warehouse has ever moved."""
    return StockMovement.objects.filter(product_id=product_id, warehouse_id=warehouse_id).exists()


def warehouse_list() -> QuerySet[Warehouse]:
    return Warehouse.objects.order_by("code")


@dataclass(frozen=True)
class LedgerDrift:
    product_sku: str
    warehouse_code: str
    on_hand: Decimal
    ledger_total: Decimal

    @property
    def difference(self) -> Decimal:
        return self.on_hand - self.ledger_total


@transaction.atomic  # the server-side cursors live in it (safe behind PgBouncer)
def stock_ledger_drift() -> list[LedgerDrift]:
    """Levels whose ``on_hand`` differs from the sum of their movements (should be none).

    Two passes, each once over its table: the ledger summed per level (one grouped scan),
    then the levels compared with it (no subquery per level: 50k of them over 1.1 M
    movements took seconds).
    """
    ledger = {
        (product, warehouse): total
        for product, warehouse, total in StockMovement.objects.order_by()
        .values("product", "warehouse")
        .annotate(total=Sum("quantity"))
        .values_list("product", "warehouse", "total")
        .iterator(chunk_size=10_000)
    }
    levels = StockLevel.objects.order_by("pk").values_list(
        "product", "warehouse", "on_hand", "product__sku", "warehouse__code"
    )
    return [
        LedgerDrift(sku, code, on_hand, quantity(ledger.get((product, warehouse), ZERO)))
        for product, warehouse, on_hand, sku, code in levels.iterator(chunk_size=10_000)
        if on_hand != ledger.get((product, warehouse), ZERO)
    ]
