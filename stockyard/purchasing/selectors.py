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

Everything is computed by the database: one query for stocked pairs, one for pairs only
on order, whatever the number of rows.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from stockyard.core.decimals import ZERO, quantity
from stockyard.core.models import QuantityField
from stockyard.inventory.models import StockLevel
from stockyard.purchasing.enums import ON_ORDER_STATUSES
from stockyard.purchasing.models import PurchaseOrder, PurchaseOrderLine


def purchase_order_list() -> QuerySet[PurchaseOrder]:
    """Orders with everything their representation shows, in a fixed number of queries."""
    lines = PurchaseOrderLine.objects.select_related("product").order_by("id")
    return PurchaseOrder.objects.select_related("supplier", "warehouse").prefetch_related(
        Prefetch("lines", queryset=lines)
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


_QUANTITIES = ("available", "on_order", "reorder_point", "reorder_quantity", "suggested_quantity")
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


def _with_suggested_quantity(rows: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
    shortfall = F("reorder_point") - F("available") - F("on_order") + Value(Decimal(1))
    return rows.filter(available__lte=F("reorder_point") - F("on_order")).annotate(
        suggested_quantity=Greatest(F("reorder_quantity"), shortfall, output_field=QuantityField())
    )


def _stocked_pairs(candidates: Q) -> QuerySet[Any, Any]:
    """Existing stock levels, with what open orders have outstanding for them."""
    on_order = (
        PurchaseOrderLine.objects.filter(
            order__status__in=ON_ORDER_STATUSES,
            product=OuterRef("product"),
            order__warehouse=OuterRef("warehouse"),
        )
        .values("product")
        .annotate(total=Sum(_OUTSTANDING))
        .values("total")
    )
    rows = StockLevel.objects.filter(candidates).values(
        "product",
        "warehouse",
        **_columns("warehouse"),
        available=ExpressionWrapper(F("on_hand") - F("reserved"), output_field=QuantityField()),
        on_order=Coalesce(Subquery(on_order), Value(ZERO), output_field=QuantityField()),
    )
    return _with_suggested_quantity(rows)


def _pairs_only_on_order(candidates: Q) -> QuerySet[Any, Any]:
    """Pairs with stock on order but no stock level yet (nothing has arrived there)."""
    stocked = StockLevel.objects.filter(
        product=OuterRef("product"), warehouse=OuterRef("order__warehouse")
    )
    rows = (
        PurchaseOrderLine.objects.filter(candidates, order__status__in=ON_ORDER_STATUSES)
        .exclude(Exists(stocked))
        .values(
            "product",
            warehouse=F("order__warehouse"),
            **_columns("order__warehouse"),
            available=Value(ZERO, output_field=QuantityField()),
        )
        .annotate(on_order=Sum(_OUTSTANDING, output_field=QuantityField()))
    )
    return _with_suggested_quantity(rows)


def reorder_suggestion_list(
    *,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    supplier_id: int | None = None,
) -> list[ReorderSuggestion]:
    """What to reorder, per product and warehouse, ordered by SKU then warehouse code."""
    narrowed = {"warehouse_id": warehouse_id, "product_id": product_id, "supplier_id": supplier_id}
    rows = [
        *_stocked_pairs(_candidates("warehouse", **narrowed)),
        *_pairs_only_on_order(_candidates("order__warehouse", **narrowed)),
    ]
    suggestions = [
        ReorderSuggestion(**{**row, **{name: quantity(row[name]) for name in _QUANTITIES}})
        for row in rows
    ]
    return sorted(suggestions, key=lambda s: (s.product_sku, s.warehouse_code))
