"""``purchases``: orders submitted and not cancelled, dated by ``order_date``.

Aggregated from the order lines: ``spend`` is ``line_total`` summed, which for whole
orders is the order ``total`` (tax included); beside the ordered figures,
``quantity_received`` and ``received_value`` (``quantity_received x unit_cost`` per line,
before tax, rounded like ``line_subtotal`` to the order currency's minor unit) say what
actually arrived, so an order closed short is not counted in full. Each
order's amounts are converted to DEFAULT_CURRENCY at the ``exchange_rate`` it recorded.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from stockyard.core.decimals import ZERO
from stockyard.reporting.enums import ColumnKind
from stockyard.reporting.models import (
    PurchaseDate,
    PurchaseDay,
    PurchaseMeasures,
    PurchaseProductBlock,
    PurchaseSupplierBlock,
)
from stockyard.reporting.reports.base import Body, Report
from stockyard.reporting.reports.grouping import (
    PRODUCT,
    GroupBlocks,
    ObjectGroup,
    blocks_asked,
    grouped_rows,
    rows_from_blocks,
)
from stockyard.reporting.reports.params import (
    MoneyPeriodParams,
    grouping,
    narrowed,
    product_field,
    supplier_field,
    warehouse_field,
)
from stockyard.reporting.summaries import (
    PURCHASES,
    RECEIVED_VALUE,
    SPEND,
    built_zone,
    counted_purchase_lines,
)
from stockyard.reporting.tables import Column


class PurchasesParams(MoneyPeriodParams):
    group_by = grouping("month", "supplier", "product", default="month")
    warehouse = warehouse_field()
    supplier = supplier_field()
    product = product_field()


GROUPS = (
    ObjectGroup(
        "supplier", "order__supplier", {"name": "order__supplier__name"}, "order__supplier__name"
    ),
    PRODUCT,
)
FILTERS = {
    "warehouse": "order__warehouse",
    "supplier": "order__supplier",
    "product": "product",
    "currency": "order__currency",
}
MEASURES = {
    "orders": Count("order", distinct=True),
    "quantity": Sum("quantity", default=ZERO),
    "spend": Sum(SPEND, default=ZERO),
    # Before the measure named like the field: an F() names the column only until then.
    "received_value": Sum(RECEIVED_VALUE, default=ZERO),
    "quantity_received": Sum("quantity_received", default=ZERO),
}
SUMMARY_GROUPS = (
    ObjectGroup("supplier", "supplier", {"name": "supplier__name"}, "supplier__name"),
)
BLOCKS = {
    "supplier": GroupBlocks(PurchaseSupplierBlock, SUMMARY_GROUPS[0]),
    "product": GroupBlocks(PurchaseProductBlock, PRODUCT),
}
SUMMARY_FILTERS = {"warehouse": "warehouse", "supplier": "supplier", "currency": "currency"}
SUMMARY_MEASURES = {
    "orders": Sum("submitted_orders", default=0),
    "quantity": Sum("ordered_quantity", default=ZERO),
    "spend": Sum("ordered_spend", default=ZERO),
    "received_value": Sum("received_amount", default=ZERO),
    "quantity_received": Sum("received_quantity", default=ZERO),
}
COLUMNS = [
    Column("orders", ColumnKind.INTEGER),
    Column("quantity", ColumnKind.QUANTITY),
    Column("spend", ColumnKind.MONEY),
    Column("quantity_received", ColumnKind.QUANTITY),
    Column("received_value", ColumnKind.MONEY),
]


def _summary(params: Mapping[str, Any]) -> QuerySet[PurchaseMeasures] | None:
    """The summary rows of the period that answer (``reporting.summaries``), if any:
    grouped by month or supplier, not filtered by product; the dates alone for month
    rows nothing narrows."""
    if params["group_by"] == "product" or params["product"] is not None:
        return None
    narrowing = any(params[name] is not None for name in SUMMARY_FILTERS)
    model = PurchaseDay if narrowing or params["group_by"] == "supplier" else PurchaseDate
    days = model.objects.filter(day__gte=params["date_from"], day__lte=params["date_to"])
    # Rows of cancelled orders only are at zero: skipped, as they have no line counted.
    return narrowed(days.exclude(submitted_orders=0), params, SUMMARY_FILTERS)


def _from_blocks(params: Mapping[str, Any]) -> Body | None:
    """Supplier or product rows from the summary's blocks (``reporting.summaries``), if
    they answer: narrowed by nothing but the grouped object."""
    asked = blocks_asked(params, BLOCKS, FILTERS)
    if asked is None:
        return None
    keys, rows, totals = rows_from_blocks(
        asked,
        params,
        measures=SUMMARY_MEASURES,
        at_zero=Q(submitted_orders=0),
        days=PurchaseDate.objects.filter(day__gte=params["date_from"], day__lte=params["date_to"]),
    )
    return Body(columns=[*keys, *COLUMNS], rows=rows, totals=totals)


def _from_summaries(params: Mapping[str, Any]) -> Body | None:
    """The report from the summaries that answer it (built: checked by the caller)."""
    grouped = _from_blocks(params)
    if grouped is not None:
        return grouped
    days = _summary(params)
    if days is None:
        return None
    keys, rows = grouped_rows(
        days, params=params, date_field="day", objects=SUMMARY_GROUPS, measures=SUMMARY_MEASURES
    )
    return Body(columns=[*keys, *COLUMNS], rows=rows, totals=days.aggregate(**SUMMARY_MEASURES))


def purchases(params: Mapping[str, Any]) -> Body:
    summed = _from_summaries(params) if built_zone(PURCHASES) is not None else None
    if summed is not None:
        return summed
    lines = counted_purchase_lines().filter(
        order__order_date__gte=params["date_from"], order__order_date__lte=params["date_to"]
    )
    lines = narrowed(lines, params, FILTERS)
    keys, rows = grouped_rows(
        lines, params=params, date_field="order__order_date", objects=GROUPS, measures=MEASURES
    )
    return Body(columns=[*keys, *COLUMNS], rows=rows, totals=lines.aggregate(**MEASURES))


REPORT = Report(
    name="purchases",
    description="Orders submitted (and not cancelled) with an `order_date` in the period: "
    "`orders`, `quantity` and `spend` (order total, tax included) per month, supplier or "
    "product, with `quantity_received` and `received_value` (received quantity at unit "
    "cost, before tax, each line rounded to its order currency's minor unit) beside them. "
    "Amounts are in DEFAULT_CURRENCY, each order converted at the exchange rate it recorded.",
    params=PurchasesParams,
    query=purchases,
)
