"""Reads for the purchasing APIs: purchase orders and reorder suggestions.

Reorder suggestions
-------------------
A product needs reordering in a warehouse when ``available + on_order <= reorder_point``,
where ``on_order`` is what unfinished purchase orders for that warehouse (draft,
submitted or partially received) still have outstanding. Only active products with a
reorder point above zero, in active warehouses, are considered.

Which (product, warehouse) pairs are looked at: every stock level that exists (a level
row appears with the first movement and stays at zero, so it means "stocked here"), plus
every pair that only has stock on order so far. A product never stocked in, nor ordered
for, a warehouse is not suggested there: suggesting every product for every warehouse
would drown the list.

The suggested quantity brings ``available + on_order`` back above the reorder point,
and is at least the product's reorder quantity:
``max(reorder_quantity, reorder_point - (available + on_order) + 1)``.

Two set-based queries, whatever the size of the history: what open orders have
outstanding, grouped by pair (read through a partial index of the lines with something
still to arrive: received lines are never read), and
the stock levels at or below their reorder point before anything on order is counted
(on order only adds). The two are joined in Python by pair; no query runs per level (a
correlated "on order" subquery per level walked every order line of the product, 50k
times at 50k levels: seconds).
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)

from stockyard.core.decimals import ZERO, quantity
from stockyard.core.documents import documents_with_lines
from stockyard.core.models import QuantityField
from stockyard.inventory.models import StockLevel
from stockyard.purchasing.enums import ON_ORDER_STATUSES
from stockyard.purchasing.models import PurchaseOrder, PurchaseOrderLine


def purchase_order_list(*, lines_limit: int | None = None) -> QuerySet[PurchaseOrder]:
    """Orders with everything their representation shows, in a fixed number of queries:
    all their lines, or the first ``lines_limit`` (``core.documents``)."""
    return documents_with_lines(
        PurchaseOrder.objects.select_related("supplier", "warehouse"),
        lines=PurchaseOrderLine.objects.select_related("product"),
        limit=lines_limit,
    )


@dataclass(frozen=True)
class ReorderSuggestion:
    product: int
    product_sku: str
    product_name: str
    warehouse: int
    warehouse_code: str
    supplier: int | None
    supplier_name: str | None
    available: Decimal
    on_order: Decimal
    reorder_point: Decimal
    reorder_quantity: Decimal
    suggested_quantity: Decimal


_QUANTITIES = ("available", "on_order", "reorder_point", "reorder_quantity")
_OUTSTANDING = F("quantity") - F("quantity_received")


def _candidates(
    warehouse: str, *, warehouse_id: int | None, product_id: int | None, supplier_id: int | None
) -> Q:
    """Reorderable pairs, narrowed by the caller's filters; ``warehouse`` is its path."""
    condition = Q(product__is_active=True, product__reorder_point__gt=0) & Q(
        **{f"{warehouse}__is_active": True}
    )
    if warehouse_id is not None:
        condition &= Q(**{f"{warehouse}_id": warehouse_id})
    if product_id is not None:
        condition &= Q(product_id=product_id)
    if supplier_id is not None:
        condition &= Q(product__supplier_id=supplier_id)
    return condition


def _columns(warehouse: str) -> dict[str, F]:
    return {
        "product_sku": F("product__sku"),
        "product_name": F("product__name"),
        "warehouse_code": F(f"{warehouse}__code"),
        "supplier": F("product__supplier"),
        "supplier_name": F("product__supplier__name"),
        "reorder_point": F("product__reorder_point"),
        "reorder_quantity": F("product__reorder_quantity"),
    }


def _open_pairs(candidates: Q) -> QuerySet[Any, Any]:
    """What open orders have outstanding per (product, warehouse), and whether the pair
    has a stock level yet: one pass over the lines with something still to arrive (a
    partial index holds just those: few, whatever the history), grouped. A line with
    nothing outstanding adds nothing, and its pair has a level (what it received
    made one)."""
    stocked = StockLevel.objects.filter(
        product=OuterRef("product"), warehouse=OuterRef("order__warehouse")
    )
    return (
        PurchaseOrderLine.objects.filter(
            candidates,
            order__status__in=ON_ORDER_STATUSES,
            quantity_received__lt=F("quantity"),  # the outstanding lines' partial index
        )
        .values(
            "product",
            warehouse=F("order__warehouse"),
            stocked=Exists(stocked),
            **_columns("order__warehouse"),
        )
        .annotate(on_order=Sum(_OUTSTANDING, output_field=QuantityField()))
        .order_by()
    )


def _low_levels(candidates: Q) -> QuerySet[Any, Any]:
    """Stock levels at or below the reorder point before counting what is on order (on
    order only adds, so no other level can qualify)."""
    available = ExpressionWrapper(F("on_hand") - F("reserved"), output_field=QuantityField())
    return (
        StockLevel.objects.filter(candidates)
        .alias(level_available=available)
        .filter(level_available__lte=F("product__reorder_point"))
        .values("product", "warehouse", **_columns("warehouse"), available=available)
    )


def _suggestion(row: dict[str, Any]) -> ReorderSuggestion | None:
    """The suggestion for one pair, or None when ``available + on_order`` is above the
    reorder point."""
    values = {**row, **{name: quantity(row[name]) for name in _QUANTITIES}}
    expected = values["available"] + values["on_order"]
    if expected > values["reorder_point"]:
        return None
    shortfall = values["reorder_point"] - expected + 1
    return ReorderSuggestion(
        **values, suggested_quantity=max(values["reorder_quantity"], shortfall)
    )


def reorder_suggestion_list(
    *,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    supplier_id: int | None = None,
) -> list[ReorderSuggestion]:
    """What to reorder, per product and warehouse, ordered by SKU then warehouse code."""
    narrowed = {"warehouse_id": warehouse_id, "product_id": product_id, "supplier_id": supplier_id}
    on_order: dict[tuple[int, int], Decimal] = {}
    pairs: list[dict[str, Any]] = []
    for row in _open_pairs(_candidates("order__warehouse", **narrowed)):
        if row.pop("stocked"):
            on_order[row["product"], row["warehouse"]] = row["on_order"]
        else:  # nothing has arrived there yet
            pairs.append({**row, "available": ZERO})
    for row in _low_levels(_candidates("warehouse", **narrowed)):
        pairs.append({**row, "on_order": on_order.get((row["product"], row["warehouse"]), ZERO)})
    suggestions = [found for found in map(_suggestion, pairs) if found is not None]
    return sorted(suggestions, key=lambda s: (s.product_sku, s.warehouse_code))
