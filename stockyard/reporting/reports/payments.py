"""``payments``: money received for sales orders, dated by when the payment was made.

Counts payments that succeeded (refunded ones included: the money came in);
``received`` is their amount, ``refunded`` what has been paid back of it (refunds of
customer returns included), ``net`` the difference, all in ``DEFAULT_CURRENCY``: each
payment converted at the exchange rate its order recorded, as the sales report does.
Pending and failed card payments took no money and are left out.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, F, Sum

from stockyard.core.decimals import ZERO
from stockyard.payments.enums import PaymentStatus
from stockyard.payments.models import Payment
from stockyard.reporting.enums import ColumnKind
from stockyard.reporting.reports.base import Body, Report
from stockyard.reporting.reports.grouping import ObjectGroup, grouped_rows
from stockyard.reporting.reports.params import (
    MoneyPeriodParams,
    customer_field,
    grouping,
    narrowed,
    period_bounds,
)
from stockyard.reporting.tables import Column


class PaymentsParams(MoneyPeriodParams):
    group_by = grouping("day", "week", "month", "customer", default="day")
    customer = customer_field()


GROUPS = (
    ObjectGroup(
        "customer",
        "sales_order__customer",
        {"name": "sales_order__customer__name"},
        "sales_order__customer__name",
    ),
)
FILTERS = {"customer": "sales_order__customer", "currency": "currency"}
RATE = F("sales_order__exchange_rate")  # the order's currency → DEFAULT_CURRENCY
MEASURES = {
    "payments": Count("id"),
    "received": Sum(F("amount") * RATE, default=ZERO),
    "refunded": Sum(F("amount_refunded") * RATE, default=ZERO),
    "net": Sum((F("amount") - F("amount_refunded")) * RATE, default=ZERO),
}
COLUMNS = [
    Column("payments", ColumnKind.INTEGER),
    Column("received", ColumnKind.MONEY),
    Column("refunded", ColumnKind.MONEY),
    Column("net", ColumnKind.MONEY),
]


def payments(params: Mapping[str, Any]) -> Body:
    start, end = period_bounds(params)
    rows = Payment.objects.filter(
        created_at__gte=start,
        created_at__lt=end,
        status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED],
    )
    rows = narrowed(rows, params, FILTERS)
    keys, grouped = grouped_rows(
        rows, params=params, date_field="created_at", objects=GROUPS, measures=MEASURES
    )
    return Body(columns=[*keys, *COLUMNS], rows=grouped, totals=rows.aggregate(**MEASURES))


REPORT = Report(
    name="payments",
    description="Payments received for sales orders in the period (by payment date): "
    "`payments`, `received`, `refunded` (refunds of customer returns included) and `net` "
    "per day, week, month or customer, in DEFAULT_CURRENCY (each payment at its order's "
    "exchange rate); `currency` keeps one currency's payments.",
    params=PaymentsParams,
    query=payments,
)
