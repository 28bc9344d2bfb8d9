"""Reads of stock, tuned for the API (one query per page, whatever its size)."""

from dataclasses import dataclass
from decimal import Decimal

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

from stockyard.core.decimals import AMOUNT_DIGITS, quantity
from stockyard.inventory.models import COST_PLACES, StockLevel, StockMovement, Warehouse


def stock_level_list() -> QuerySet[StockLevel]:
    return (
        StockLevel.objects.select_related("product", "warehouse")
        .annotate(
            available_quantity=F("on_hand") - F("reserved"),
            value=ExpressionWrapper(
                F("on_hand") * F("average_cost"),
                output_field=DecimalField(
                    max_digits=AMOUNT_DIGITS + 10, decimal_places=COST_PLACES
                ),
            ),
        )
        .order_by("product__sku", "warehouse__code")
    )


def stock_movement_list() -> QuerySet[StockMovement]:
    return StockMovement.objects.select_related("product", "warehouse", "created_by")


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


def stock_ledger_drift() -> list[LedgerDrift]:
    """Levels whose ``on_hand`` differs from the sum of their movements (should be none)."""
    ledger = (
        StockMovement.objects.filter(product=OuterRef("product"), warehouse=OuterRef("warehouse"))
        .values("product", "warehouse")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    rows = (
        StockLevel.objects.annotate(ledger_total=Coalesce(Subquery(ledger), Value(Decimal(0))))
        .exclude(on_hand=F("ledger_total"))
        .order_by("pk")
        .values_list("product__sku", "warehouse__code", "on_hand", "ledger_total")
    )
    return [
        LedgerDrift(sku, code, on_hand, quantity(ledger_total))
        for sku, code, on_hand, ledger_total in rows
    ]
