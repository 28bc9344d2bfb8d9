"""Reports of stock: ``inventory-valuation`` and ``low-stock`` (snapshots of now) and
``stock-movements`` (the ledger over a period)."""

from collections.abc import Iterator, Mapping
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, F, Sum
from django.db.models.functions import Round

from stockyard.catalog.models import Category
from stockyard.core.decimals import ZERO, minor_unit
from stockyard.inventory.models import StockLevel
from stockyard.inventory.selectors import stock_movement_list
from stockyard.purchasing.selectors import reorder_suggestion_rows
from stockyard.reporting.enums import ColumnKind
from stockyard.reporting.reports.base import Body, Report
from stockyard.reporting.reports.params import (
    PeriodParams,
    SnapshotParams,
    category_field,
    kind_field,
    narrowed,
    period_bounds,
    product_field,
    warehouse_field,
)
from stockyard.reporting.tables import Column, Row

ROWS_PER_FETCH = 2_000  # rows of a streamed report read from the server-side cursor at once

_PRODUCT = [
    Column("product", ColumnKind.INTEGER),
    Column("sku", ColumnKind.TEXT),
    Column("name", ColumnKind.TEXT),
    Column("warehouse", ColumnKind.INTEGER),
    Column("warehouse_code", ColumnKind.TEXT),
]
_PRODUCT_VALUES = {
    "sku": F("product__sku"),
    "name": F("product__name"),
    "warehouse_code": F("warehouse__code"),
}


# --- inventory-valuation ----------------------------------------------------------------


class ValuationParams(SnapshotParams):
    warehouse = warehouse_field()
    category = category_field()


def _with_subcategories(category: Category) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent"):
        children.setdefault(parent, []).append(pk)
    found, pending = set(), [category.pk]
    while pending:
        pk = pending.pop()
        found.add(pk)
        pending.extend(children.get(pk, []))
    return found


def _value() -> Round:
    """A level's ``on_hand x average_cost`` rounded half-up (PostgreSQL rounds halves away
    from 0) to the minor unit of DEFAULT_CURRENCY, the currency of costs."""
    return Round(F("on_hand") * F("average_cost"), minor_unit(settings.DEFAULT_CURRENCY))


def inventory_valuation(params: Mapping[str, Any]) -> Body:
    """Each level's value is ``on_hand * average_cost`` rounded half-up to the minor unit
    of DEFAULT_CURRENCY (ISO 4217), and the
    total is the sum of the rows as shown, so a spreadsheet adds up to it. Rows are
    streamed from the database (``ROWS_PER_FETCH`` at a time)."""
    levels = narrowed(StockLevel.objects.exclude(on_hand=0), params, {"warehouse": "warehouse"})
    if params.get("category") is not None:
        levels = levels.filter(product__category__in=_with_subcategories(params["category"]))
    rows = cast(  # typed per field by the stubs; a report row is a plain dict
        Iterator[Row],
        levels.values("product", "warehouse", "on_hand", "average_cost", value=_value())
        .annotate(**_PRODUCT_VALUES)
        .order_by("product__sku", "warehouse__code")
        .iterator(chunk_size=ROWS_PER_FETCH),
    )
    totals = levels.aggregate(value=Sum(_value(), default=ZERO), rows=Count("pk"))
    return Body(
        columns=[
            *_PRODUCT,
            Column("on_hand", ColumnKind.QUANTITY),
            Column("average_cost", ColumnKind.COST),
            Column("value", ColumnKind.MONEY),
        ],
        rows=rows,
        totals={"value": totals["value"]},
        row_count=totals["rows"],
    )


# --- low-stock ----------------------------------------------------------------------------


class LowStockParams(SnapshotParams):
    warehouse = warehouse_field()


def low_stock(params: Mapping[str, Any]) -> Body:
    """The reorder suggestions' rows as they come from their query (the table rounds
    them once), every one of them: the answer is what is low now, not history."""
    warehouse = params.get("warehouse")
    suggestions = reorder_suggestion_rows(warehouse_id=warehouse.pk if warehouse else None)
    rows: list[Row] = [
        {
            "product": row["product"],
            "sku": row["sku"],
            "name": row["product_name"],
            "warehouse": row["warehouse"],
            "warehouse_code": row["code"],
            "available": row["available"],
            "on_order": row["on_order"],
            "reorder_point": row["point"],
            "suggested_quantity": row["suggested_quantity"],
        }
        for row in suggestions
    ]
    return Body(
        columns=[
            *_PRODUCT,
            *(
                Column(name, ColumnKind.QUANTITY)
                for name in ("available", "on_order", "reorder_point", "suggested_quantity")
            ),
        ],
        rows=rows,
        totals={"products": len(rows)},
        total_columns=[Column("products", ColumnKind.INTEGER)],
    )


# --- stock-movements ----------------------------------------------------------------------


class MovementParams(PeriodParams):
    product = product_field()
    warehouse = warehouse_field()
    kind = kind_field()

    def clean_kind(self) -> str | None:
        return self.cleaned_data.get("kind") or None


def _with_creator(row: Mapping[str, Any]) -> Row:
    values = dict(row)
    values["created_by"] = values.pop("username")
    return values


def stock_movements(params: Mapping[str, Any]) -> Body:
    start, end = period_bounds(params)
    movements = narrowed(
        stock_movement_list().filter(created_at__gte=start, created_at__lt=end),
        params,
        {"product": "product", "warehouse": "warehouse", "kind": "kind"},
    )
    count = movements.count()
    rows = (
        _with_creator(row)
        for row in movements.values(
            "id",
            "created_at",
            "product",
            "warehouse",
            "kind",
            "quantity",
            "unit_cost",
            "reference_type",
            "reference_id",
            "reason",
            "note",
            **_PRODUCT_VALUES,
            username=F("created_by__username"),
        )
        .order_by("id")
        .iterator(chunk_size=ROWS_PER_FETCH)
    )
    return Body(
        columns=[
            Column("id", ColumnKind.INTEGER),
            Column("created_at", ColumnKind.DATETIME),
            *_PRODUCT,
            Column("kind", ColumnKind.TEXT),
            Column("quantity", ColumnKind.QUANTITY),
            Column("unit_cost", ColumnKind.COST),
            Column("reference_type", ColumnKind.TEXT),
            Column("reference_id", ColumnKind.INTEGER),
            Column("created_by", ColumnKind.TEXT),
            Column("reason", ColumnKind.TEXT),
            Column("note", ColumnKind.TEXT),
        ],
        rows=rows,
        totals={"movements": count},
        total_columns=[Column("movements", ColumnKind.INTEGER)],
        row_count=count,
    )


VALUATION = Report(
    name="inventory-valuation",
    description="Stock on hand now, per product and warehouse, valued at moving-average "
    "cost (`value = on_hand * average_cost`). Takes no dates. `category` includes its "
    "subcategories.",
    params=ValuationParams,
    query=inventory_valuation,
)
LOW_STOCK = Report(
    name="low-stock",
    description="Products at or below their reorder point now "
    "(`available + on_order <= reorder_point`), with the suggested quantity to order, as "
    "`/reorder-suggestions/` computes them. Takes no dates.",
    params=LowStockParams,
    query=low_stock,
)
MOVEMENTS = Report(
    name="stock-movements",
    description="The stock ledger: every movement created in the period, oldest first.",
    params=MovementParams,
    query=stock_movements,
)
