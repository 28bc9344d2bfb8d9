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

One query, whatever the size of the history or of the catalog, answering only the
suggestions, sorted (``reorder_suggestion_rows``): the union of

1. the levels at or below their reorder point with nothing on order for their pair;
2. the levels at or below their reorder point with something on order, kept while
   ``available + on_order`` is still at or below it (the open lines joined to their
   pair's low level, summed per pair);
3. the pairs with stock on order and no level yet (available 0), kept likewise.

On order only adds, so no other level can qualify. The low levels are read from
``stock_level_low_idx`` (its condition is ``inventory.models.LOW_STOCK``): a level
carries a copy of its product's reorder point (``inventory.services`` keeps it), so the
low ones have an index instead of a comparison of every level with its product. The
open orders' lines are found from the open orders (their status index), then read from
``purchase_line_outstanding_idx``, which holds only lines with something still to
arrive and carries what is read (received history is never read). No part is planned
with a subquery per row, so its estimate stays small (a large one turns on
PostgreSQL's JIT compiler: 200 ms of compiling for a 10 ms query).

What grows is what is low and what is on order, not the levels or the history: at 50,000
levels (1,000 low) and 120,000 order lines (4,752 of open orders), 1,000 entries of the
low index instead of 50,000 levels joined to their products, and the open lines three
times (each an index-only scan of a few thousand entries).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)

from stockyard.core.decimals import ZERO, quantity
from stockyard.core.documents import documents_with_lines
from stockyard.core.models import QuantityField
from stockyard.inventory.models import LOW_STOCK, StockLevel
from stockyard.purchasing.enums import ON_ORDER_STATUSES
from stockyard.purchasing.models import OUTSTANDING, PurchaseOrder, PurchaseOrderLine


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


def _open_lines() -> QuerySet[PurchaseOrderLine]:
    """Lines of unfinished orders with something still to arrive (``OUTSTANDING`` is the
    condition of both outstanding-lines indexes)."""
    return PurchaseOrderLine.objects.filter(
        OUTSTANDING, order__status__in=ON_ORDER_STATUSES
    ).order_by()  # a part of a union has no order of its own (SQLite refuses one)


def _row(warehouse: str, **quantities: Any) -> dict[str, Any]:
    """The columns of a suggestion row after product and warehouse, in one order for
    both halves of the union (a union matches columns by position)."""
    return {
        "product_sku": F("product__sku"),
        "product_name": F("product__name"),
        "warehouse_code": F(f"{warehouse}__code"),
        "supplier": F("product__supplier"),
        "supplier_name": F("product__supplier__name"),
        **quantities,
        "reorder_quantity": F("product__reorder_quantity"),
    }


def _on_order_for(product: str, warehouse: str) -> QuerySet[PurchaseOrderLine]:
    """Open lines of the outer row's pair (``product`` and ``warehouse`` are its paths)."""
    return _open_lines().filter(product=OuterRef(product), order__warehouse=OuterRef(warehouse))


def _low_levels(candidates: Q) -> QuerySet[Any, Any]:
    """Levels at or below the reorder point (``LOW_STOCK``: its index) with nothing on
    order for their pair."""
    return (
        StockLevel.objects.filter(
            LOW_STOCK, candidates, ~Exists(_on_order_for("product", "warehouse"))
        )
        .order_by()
        .values(
            "product",
            "warehouse",
            **_row(
                "warehouse",
                available=F("on_hand") - F("reserved"),
                on_order=Value(ZERO, output_field=QuantityField()),
                point=F("reorder_point"),
            ),
        )
    )


_LEVEL = "product__stock_levels"


def _low_levels_on_order(candidates: Q) -> QuerySet[Any, Any]:
    """Levels at or below the reorder point with something on order for their pair,
    still there once it is added: the open lines joined to their pair's low level
    (``LOW_STOCK`` on the joined level: its index), summed per pair."""
    low = Q(
        **{
            f"{_LEVEL}__warehouse": F("order__warehouse"),
            f"{_LEVEL}__reorder_point__gt": 0,
            f"{_LEVEL}__on_hand__lte": F(f"{_LEVEL}__reserved") + F(f"{_LEVEL}__reorder_point"),
        }
    )
    available = F(f"{_LEVEL}__on_hand") - F(f"{_LEVEL}__reserved")
    return (
        _open_lines()
        .filter(candidates, low)
        .values("product", "order__warehouse")
        .annotate(
            low_on_order=Sum(_OUTSTANDING, output_field=QuantityField()),
            level_available=available,
            level_point=F(f"{_LEVEL}__reorder_point"),
        )
        .filter(level_point__gte=F("level_available") + F("low_on_order"))
        .values(
            "product",
            "order__warehouse",
            **_row(
                "order__warehouse",
                available=F("level_available"),
                on_order=F("low_on_order"),
                point=F("level_point"),
            ),
        )
    )


def _unstocked_pairs(candidates: Q) -> QuerySet[Any, Any]:
    """Pairs with stock on order and no level yet (available 0), per pair."""
    stocked = StockLevel.objects.filter(
        product=OuterRef("product"), warehouse=OuterRef("order__warehouse")
    )
    return (
        _open_lines()
        .filter(candidates, ~Exists(stocked))
        .values("product", "order__warehouse")
        .annotate(unstocked_on_order=Sum(_OUTSTANDING, output_field=QuantityField()))
        .filter(unstocked_on_order__lte=F("product__reorder_point"))
        .values(
            "product",
            "order__warehouse",
            **_row(
                "order__warehouse",
                available=Value(ZERO, output_field=QuantityField()),
                on_order=F("unstocked_on_order"),
                point=F("product__reorder_point"),
            ),
        )
    )


def reorder_suggestion_rows(
    *,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    supplier_id: int | None = None,
) -> QuerySet[Any, dict[str, Any]]:
    """The suggestions as one query of rows, ordered by SKU then warehouse code; slice
    it for a page (a LIMIT), and make each row a ``ReorderSuggestion`` with
    ``reorder_suggestions``."""
    narrowed = {"warehouse_id": warehouse_id, "product_id": product_id, "supplier_id": supplier_id}
    return (
        _low_levels(_candidates("warehouse", **narrowed))
        .union(
            _low_levels_on_order(_candidates("order__warehouse", **narrowed)),
            _unstocked_pairs(_candidates("order__warehouse", **narrowed)),
            all=True,
        )
        .order_by("product_sku", "warehouse_code")
    )


def reorder_suggestions(rows: Iterable[Mapping[str, Any]]) -> list[ReorderSuggestion]:
    """``reorder_suggestion_rows``' rows as suggestions, with the quantity to order."""
    return [_suggestion(row) for row in rows]


def _suggestion(row: Mapping[str, Any]) -> ReorderSuggestion:
    available, on_order, point, reorder_quantity = (
        quantity(row[name]) for name in ("available", "on_order", "point", "reorder_quantity")
    )
    return ReorderSuggestion(
        product=row["product"],
        product_sku=row["product_sku"],
        product_name=row["product_name"],
        warehouse=row["warehouse"],
        warehouse_code=row["warehouse_code"],
        supplier=row["supplier"],
        supplier_name=row["supplier_name"],
        available=available,
        on_order=on_order,
        reorder_point=point,
        reorder_quantity=reorder_quantity,
        suggested_quantity=max(reorder_quantity, point - (available + on_order) + 1),
    )


def reorder_suggestion_list(
    *,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    supplier_id: int | None = None,
) -> list[ReorderSuggestion]:
    """What to reorder, per product and warehouse, ordered by SKU then warehouse code."""
    return reorder_suggestions(
        reorder_suggestion_rows(
            warehouse_id=warehouse_id, product_id=product_id, supplier_id=supplier_id
        )
    )
