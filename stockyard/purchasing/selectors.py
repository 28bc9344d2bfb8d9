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
suggestions, sorted by SKU then warehouse code (``reorder_suggestion_rows``); the API
reads one page of it, with its count (``core.pagination``: on PostgreSQL one statement,
``count(*) OVER ()`` over the sorted union then ``LIMIT``/``OFFSET``), so only the
page's rows reach Python. The union of

1. the levels at or below their reorder point (``stock_level_low_idx``, its condition is
   ``inventory.models.LOW_STOCK``), each with what is on order for its pair, kept while
   ``available + on_order`` is still at or below it;
2. the pairs with stock on order and no level yet (available 0), kept likewise.

On order only adds, so no other level can qualify. A level carries a copy of its
product's reorder point (``inventory.services`` keeps it), so the low ones have an index
instead of a comparison of every level with its product (its copies of the SKU and the
warehouse's code, ``inventory.models.SORT_KEY``, are not used here: the rows name and
sort by the product's and the warehouse's own, right while ``copy_sort_keys`` has not
yet run after a rolling deploy; sorting what is low costs the same); what is on order
per pair is kept by the purchasing services
(``OnOrder``, ``purchasing.on_order``), so no order line is read. No part is planned
with a large estimate (that turns on PostgreSQL's JIT compiler: 200 ms of compiling for
a 10 ms query): part 1 joins the low levels to the kept rows (a join, not a subquery per
level), part 2 reads the kept rows (one per pair on order) and looks up each pair's
level. The low levels are also filtered on
``STOCK_GAP <= 0``, the same condition with statistics of its own, so PostgreSQL
estimates how many are low (it guesses a third for ``LOW_STOCK``, a comparison of two
columns, and then reads every level instead of the index).

What grows is what is low and what is on order, not the levels or the history: at 50,000
levels (1,000 low) and 40,000 orders (4,752 outstanding lines of open orders), 1,000
entries of the low index with a kept row each, and a few thousand kept rows.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest

from stockyard.core.decimals import ZERO, quantity
from stockyard.core.documents import documents_with_lines
from stockyard.core.models import QuantityField
from stockyard.inventory.models import LOW_STOCK, STOCK_GAP, StockLevel
from stockyard.purchasing.models import OnOrder, PurchaseOrder, PurchaseOrderLine


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


def _candidates(*, warehouse_id: int | None, product_id: int | None, supplier_id: int | None) -> Q:
    """Reorderable pairs (rows with a ``product`` and a ``warehouse``), narrowed by the
    caller's filters."""
    condition = Q(product__is_active=True, product__reorder_point__gt=0, warehouse__is_active=True)
    if warehouse_id is not None:
        condition &= Q(warehouse_id=warehouse_id)
    if product_id is not None:
        condition &= Q(product_id=product_id)
    if supplier_id is not None:
        condition &= Q(product__supplier_id=supplier_id)
    return condition


def _row(*, available: Any, on_order: Any, point: Any) -> dict[str, Any]:
    """The columns of a suggestion row after product, warehouse, SKU and warehouse code,
    in one order for both halves of the union (a union matches columns by position),
    with the quantity to order (the module's rule)."""
    reorder_quantity = F("product__reorder_quantity")
    return {
        "product_name": F("product__name"),
        "supplier": F("product__supplier"),
        "supplier_name": F("product__supplier__name"),
        "available": available,
        "on_order": on_order,
        "point": point,
        "reorder_quantity": reorder_quantity,
        "suggested_quantity": Greatest(
            reorder_quantity, point - (available + on_order) + 1, output_field=QuantityField()
        ),
    }


def _low_levels(candidates: Q) -> QuerySet[Any, Any]:
    """Levels at or below the reorder point (``LOW_STOCK``: its index), with what is on
    order for their pair, still there once it is added."""
    return (
        StockLevel.objects.alias(gap=STOCK_GAP)  # the estimate (LOW_STOCK is the index)
        .filter(LOW_STOCK, candidates, gap__lte=0)
        .annotate(kept=Coalesce("on_order__quantity", ZERO, output_field=QuantityField()))
        .filter(reorder_point__gte=F("on_hand") - F("reserved") + F("kept"))
        .order_by()  # a part of a union has no order of its own (SQLite refuses one)
        .values(
            "product",
            "warehouse",
            sku=F("product__sku"),  # not the level's copies: those wait for
            code=F("warehouse__code"),  # copy_sort_keys after a rolling deploy
            **_row(
                available=F("on_hand") - F("reserved"),
                on_order=F("kept"),
                point=F("reorder_point"),
            ),
        )
    )


def _unstocked_pairs(candidates: Q) -> QuerySet[Any, Any]:
    """Pairs with stock on order and no level yet (available 0), still there once what
    is on order is added."""
    stocked = StockLevel.objects.filter(
        product=OuterRef("product"), warehouse=OuterRef("warehouse")
    )
    return (
        OnOrder.objects.filter(
            candidates, ~Exists(stocked), quantity__lte=F("product__reorder_point")
        )
        .order_by()
        .values(
            "product",
            "warehouse",
            sku=F("product__sku"),
            code=F("warehouse__code"),
            **_row(
                available=Value(ZERO, output_field=QuantityField()),
                on_order=F("quantity"),
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
    """The suggestions as one query of rows, ordered by SKU then warehouse code; page
    it (a LIMIT and OFFSET; ``core.pagination`` counts it in the same statement), and
    make each row of the page a ``ReorderSuggestion`` with ``reorder_suggestions``."""
    candidates = _candidates(
        warehouse_id=warehouse_id, product_id=product_id, supplier_id=supplier_id
    )
    return (
        _low_levels(candidates)
        .union(_unstocked_pairs(candidates), all=True)
        .order_by("sku", "code")
    )


def reorder_suggestions(rows: Iterable[Mapping[str, Any]]) -> list[ReorderSuggestion]:
    """``reorder_suggestion_rows``' rows as suggestions."""
    return [_suggestion(row) for row in rows]


def _suggestion(row: Mapping[str, Any]) -> ReorderSuggestion:
    available, on_order, point, reorder_quantity, suggested = (
        quantity(row[name])
        for name in ("available", "on_order", "point", "reorder_quantity", "suggested_quantity")
    )
    return ReorderSuggestion(
        product=row["product"],
        product_sku=row["sku"],
        product_name=row["product_name"],
        warehouse=row["warehouse"],
        warehouse_code=row["code"],
        supplier=row["supplier"],
        supplier_name=row["supplier_name"],
        available=available,
        on_order=on_order,
        reorder_point=point,
        reorder_quantity=reorder_quantity,
        suggested_quantity=suggested,
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
