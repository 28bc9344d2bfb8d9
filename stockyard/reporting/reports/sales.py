"""``sales``: orders confirmed and not cancelled, dated by ``confirmed_at`` (days in the
report's time zone).

Aggregated from the order lines: ``revenue`` is ``line_subtotal - line_discount`` summed,
which for whole orders is the order's ``subtotal - discount_total`` (its total less tax);
with ``product`` (as filter or grouping) it is that product's share of the orders.

A closed order counts what it shipped: a line's ``quantity`` less its
``quantity_cancelled``, and that share of the line's revenue, rounded half-up to the minor
unit of the order's currency (ISO 4217: JPY 0 places, KWD 3).

Customer returns received in the period (dated by ``received_at``) are netted: their
quantities come off ``quantity`` and their refunds less tax (``refund_amount -
refund_tax``) off ``revenue``, in the row of the day, product or customer they belong
to; ``orders`` counts sales only. Every amount is converted to DEFAULT_CURRENCY at the
``exchange_rate`` its order recorded.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from stockyard.core.decimals import ZERO
from stockyard.reporting.enums import ColumnKind
from stockyard.reporting.models import SalesCustomerBlock, SalesDay, SalesHour, SalesProductBlock
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
    customer_field,
    grouping,
    narrowed,
    period_bounds,
    product_field,
    time_bucket,
    warehouse_field,
)
from stockyard.reporting.summaries import (
    RETURNED_REVENUE,
    SALES,
    SOLD,
    SOLD_REVENUE,
    buckets_start_on_utc_hours,
    built_zone,
    counted_lines,
    days_answer,
    received_return_lines,
)
from stockyard.reporting.tables import Column, Row, ratio


class SalesParams(MoneyPeriodParams):
    group_by = grouping("day", "week", "month", "product", "customer", default="day")
    warehouse = warehouse_field()
    customer = customer_field()
    product = product_field()


GROUPS = (
    PRODUCT,
    ObjectGroup(
        "customer", "order__customer", {"name": "order__customer__name"}, "order__customer__name"
    ),
)
FILTERS = {
    "warehouse": "order__warehouse",
    "customer": "order__customer",
    "product": "product",
    "currency": "order__currency",
}
RETURN_GROUPS = (
    ObjectGroup(
        "product",
        "sales_order_line__product",
        {"sku": "sales_order_line__product__sku", "name": "sales_order_line__product__name"},
        "sales_order_line__product__sku",
    ),
    ObjectGroup(
        "customer",
        "sales_order_line__order__customer",
        {"name": "sales_order_line__order__customer__name"},
        "sales_order_line__order__customer__name",
    ),
)
RETURN_FILTERS = {name: f"sales_order_line__{path}" for name, path in FILTERS.items()}
NETTED = {  # over the rows' ``sold`` annotations: ``quantity`` names the measure here
    "quantity": Sum("sold", default=ZERO),
    "revenue": Sum("sold_revenue", default=ZERO),
}
MEASURES = {"orders": Count("order", distinct=True), **NETTED}
COLUMNS = [
    Column("orders", ColumnKind.INTEGER),
    Column("quantity", ColumnKind.QUANTITY),
    Column("revenue", ColumnKind.MONEY),
    Column("average_order_value", ColumnKind.MONEY),
]


def _with_average(row: Row) -> Row:
    return {**row, "average_order_value": ratio(row["revenue"], row["orders"])}


def _netted(sold: Row, returned: Row | None) -> Row:
    if returned is None:
        return sold
    return {name: sold[name] - returned[name] if name in NETTED else sold[name] for name in sold}


def _merged(rows: list[Row], returned: list[Row], label: str | None) -> list[Row]:
    """Sales rows less the returns of the same key; rows of returns alone added (with no
    orders) and kept in the report's order (time, or the label then the id)."""
    by_key = {row["key"]: row for row in returned}
    merged = [_netted(row, by_key.pop(row["key"], None)) for row in rows]
    if not by_key:
        return merged
    merged += [
        {**row, "orders": 0, **{name: -row[name] for name in NETTED}} for row in by_key.values()
    ]
    return sorted(merged, key=lambda row: (row[label], row["key"]) if label else row["key"])


SUMMARY_FILTERS = {"warehouse": "warehouse", "currency": "currency"}
SUMMARY_MEASURES = {
    "orders": Sum("confirmed_orders", default=0),
    "quantity": Sum(F("sold_quantity") - F("returned_quantity"), default=ZERO),
    "revenue": Sum(F("sold_revenue") - F("returned_revenue"), default=ZERO),
}


def _summary(params: Mapping[str, Any]) -> QuerySet[SalesDay] | QuerySet[SalesHour] | None:
    """The summary rows of the period that answer exactly (``reporting.summaries``), if
    any: time rows filtered only by what the summary is kept per, once it has been built;
    its days in the zone they were built in, else its hours in a zone whose buckets start
    on UTC hours."""
    bucket = time_bucket(params["group_by"])
    if bucket is None or {name for name, value in params.items() if value is not None} & (
        FILTERS.keys() - SUMMARY_FILTERS.keys()
    ):
        return None
    built = built_zone(SALES)
    if built is None:
        return None
    if days_answer(built, params["tz"]):
        days = SalesDay.objects.filter(day__gte=params["date_from"], day__lte=params["date_to"])
        return narrowed(days, params, SUMMARY_FILTERS)
    zone = timezone.get_current_timezone()
    if not buckets_start_on_utc_hours(params["date_from"], params["date_to"], bucket, zone):
        return None
    start, end = period_bounds(params)
    hours = SalesHour.objects.filter(hour__gte=start, hour__lt=end)
    return narrowed(hours, params, SUMMARY_FILTERS)


def _from_summary(
    rows: QuerySet[SalesDay] | QuerySet[SalesHour], params: Mapping[str, Any]
) -> Body:
    date_field = "day" if rows.model is SalesDay else "hour"
    keys, found = grouped_rows(
        rows, params=params, date_field=date_field, objects=(), measures=SUMMARY_MEASURES
    )
    return Body(
        columns=[*keys, *COLUMNS],
        rows=[_with_average(row) for row in found],
        totals=_with_average(rows.aggregate(**SUMMARY_MEASURES)),
    )


BLOCKS = {
    "product": GroupBlocks(SalesProductBlock, PRODUCT),
    "customer": GroupBlocks(
        SalesCustomerBlock,
        ObjectGroup("customer", "customer", {"name": "customer__name"}, "customer__name"),
    ),
}


def _from_blocks(params: Mapping[str, Any]) -> Body | None:
    """Product or customer rows from the summary's blocks (``reporting.summaries``), if
    they answer: in the business's zone, narrowed by nothing but the grouped object."""
    asked = blocks_asked(params, BLOCKS, FILTERS)
    if asked is None or not days_answer(built_zone(SALES), params["tz"]):
        return None
    keys, rows, totals = rows_from_blocks(
        asked,
        params,
        measures=SUMMARY_MEASURES,
        at_zero=Q(confirmed_orders=0, returned_quantity=0),
        days=SalesDay.objects.filter(day__gte=params["date_from"], day__lte=params["date_to"]),
    )
    return Body(
        columns=[*keys, *COLUMNS],
        rows=[_with_average(row) for row in rows],
        totals=_with_average(totals),
    )


def sales(params: Mapping[str, Any]) -> Body:
    summary = _summary(params)
    if summary is not None:
        return _from_summary(summary, params)
    grouped = _from_blocks(params)
    if grouped is not None:
        return grouped
    start, end = period_bounds(params)
    lines = counted_lines().filter(order__confirmed_at__gte=start, order__confirmed_at__lt=end)
    lines = narrowed(lines.annotate(sold=SOLD, sold_revenue=SOLD_REVENUE), params, FILTERS)
    returned = (
        received_return_lines()
        .filter(customer_return__received_at__gte=start, customer_return__received_at__lt=end)
        .annotate(sold=F("quantity"), sold_revenue=RETURNED_REVENUE)
    )
    returned = narrowed(returned, params, RETURN_FILTERS)
    keys, rows = grouped_rows(
        lines, params=params, date_field="order__confirmed_at", objects=GROUPS, measures=MEASURES
    )
    _, returned_rows = grouped_rows(
        returned,
        params=params,
        date_field="customer_return__received_at",
        objects=RETURN_GROUPS,
        measures=NETTED,
    )
    label = {"product": "sku", "customer": "name"}.get(params["group_by"])
    totals = _netted(lines.aggregate(**MEASURES), returned.aggregate(**NETTED))
    return Body(
        columns=[*keys, *COLUMNS],
        rows=[_with_average(row) for row in _merged(rows, returned_rows, label)],
        totals=_with_average(totals),
    )


REPORT = Report(
    name="sales",
    description="Orders confirmed (and not cancelled) in the period, dated by `confirmed_at`; "
    "closed orders count what they shipped, and customer returns received in the period "
    "are netted off `quantity` and `revenue`: "
    "`orders`, `quantity`, `revenue` (total less tax) and `average_order_value` per day, "
    "week, month, product or customer. Days are calendar days in the business time zone "
    "(or `tz`); amounts are in DEFAULT_CURRENCY, each order converted at the exchange rate "
    "it recorded.",
    params=SalesParams,
    query=sales,
)
