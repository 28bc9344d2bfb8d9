"""``sales``: orders confirmed and not cancelled, dated by ``confirmed_at`` (days in the
report's time zone).

Aggregated from the order lines: ``revenue`` is ``line_subtotal - line_discount`` summed,
which for whole orders is the order's ``subtotal - discount_total`` (its total less tax);
with ``product`` (as filter or grouping) it is that product's share of the orders. Each
order's amounts are converted to DEFAULT_CURRENCY at the ``exchange_rate`` it recorded.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, F, Sum

from stockyard.core.decimals import ZERO
from stockyard.reporting.enums import ColumnKind
from stockyard.reporting.reports.base import Body, Report
from stockyard.reporting.reports.grouping import ObjectGroup, grouped_rows
from stockyard.reporting.reports.params import (
    MoneyPeriodParams,
    customer_field,
    grouping,
    narrowed,
    period_bounds,
    product_field,
    warehouse_field,
)
from stockyard.reporting.tables import Column, Row, ratio
from stockyard.sales.enums import SalesOrderStatus
from stockyard.sales.models import SalesOrderLine


class SalesParams(MoneyPeriodParams):
    group_by = grouping("day", "week", "month", "product", "customer", default="day")
    warehouse = warehouse_field()
    customer = customer_field()
    product = product_field()


GROUPS = (
    ObjectGroup(
        "product", "product", {"sku": "product__sku", "name": "product__name"}, "product__sku"
    ),
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
MEASURES = {
    "orders": Count("order", distinct=True),
    "quantity": Sum("quantity", default=ZERO),
    "revenue": Sum(
        (F("line_subtotal") - F("line_discount")) * F("order__exchange_rate"), default=ZERO
    ),
}
COLUMNS = [
    Column("orders", ColumnKind.INTEGER),
    Column("quantity", ColumnKind.QUANTITY),
    Column("revenue", ColumnKind.MONEY),
    Column("average_order_value", ColumnKind.MONEY),
]


def _with_average(row: Row) -> Row:
    return {**row, "average_order_value": ratio(row["revenue"], row["orders"])}


def sales(params: Mapping[str, Any]) -> Body:
    start, end = period_bounds(params)
    lines = SalesOrderLine.objects.filter(
        order__confirmed_at__gte=start, order__confirmed_at__lt=end
    ).exclude(order__status=SalesOrderStatus.CANCELLED)
    lines = narrowed(lines, params, FILTERS)
    keys, rows = grouped_rows(
        lines,
        params=params,
        date_field="order__confirmed_at",
        objects=GROUPS,
        measures=MEASURES,
    )
    return Body(
        columns=[*keys, *COLUMNS],
        rows=[_with_average(row) for row in rows],
        totals=_with_average(lines.aggregate(**MEASURES)),
    )


REPORT = Report(
    name="sales",
    description="Orders confirmed (and not cancelled) in the period, dated by `confirmed_at`: "
    "`orders`, `quantity`, `revenue` (total less tax) and `average_order_value` per day, "
    "week, month, product or customer. Days are calendar days in the business time zone "
    "(or `tz`); amounts are in DEFAULT_CURRENCY, each order converted at the exchange rate "
    "it recorded.",
    params=SalesParams,
    query=sales,
)
