"""``fulfillment``: shipments that left the warehouse in the period, dated by
``shipped_at``.

``average_hours_to_ship`` is the mean time from the order's confirmation to the
shipment leaving; a shipment is on time when it left within ``on_time_hours`` (default
48) of the confirmation, and ``on_time_rate`` is the percentage of shipments on time.
"""

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Count, Expression, F, Q, Sum, Value
from django.db.models.functions import Greatest

from stockyard.reporting.enums import ColumnKind
from stockyard.reporting.models import FulfillmentDay
from stockyard.reporting.reports.base import Body, Report
from stockyard.reporting.reports.grouping import grouped_rows
from stockyard.reporting.reports.params import PeriodParams, grouping, period_bounds
from stockyard.reporting.summaries import FULFILLMENT, built_zone, days_answer, seconds_to_ship
from stockyard.reporting.tables import Column, Row, ratio
from stockyard.shipping.models import Shipment

DEFAULT_ON_TIME_HOURS = 48
SECONDS_PER_HOUR = Decimal(3600)


class FulfillmentParams(PeriodParams):
    group_by = grouping("day", "week", "month", default="day")
    on_time_hours = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=24 * 365,
        help_text="A shipment is on time when it leaves within this many hours of the "
        f"order's confirmation (default {DEFAULT_ON_TIME_HOURS}).",
    )

    def clean_on_time_hours(self) -> int:
        return self.cleaned_data.get("on_time_hours") or DEFAULT_ON_TIME_HOURS


COLUMNS = [
    Column("shipments", ColumnKind.INTEGER),
    Column("orders_shipped", ColumnKind.INTEGER),
    Column("average_hours_to_ship", ColumnKind.HOURS),
    Column("on_time_rate", ColumnKind.PERCENT),
]


def _measures(on_time_hours: int) -> dict[str, Any]:
    deadline = F("sales_order__confirmed_at") + timedelta(hours=on_time_hours)
    return {
        "shipments": Count("id"),
        "orders_shipped": Count("sales_order", distinct=True),
        "seconds_to_ship": Sum(seconds_to_ship()),
        "on_time": Count("id", filter=Q(shipped_at__lte=deadline)),
    }


def _summary_measures(on_time_hours: int, first_day: Expression) -> dict[str, Any]:
    """Over ``FulfillmentDay`` rows: an order counts in the bucket (or period) starting on
    ``first_day`` with the first of its shipments there, the one whose previous shipment
    left before it (or that has none)."""
    first = Q(previous_day__isnull=True) | Q(previous_day__lt=first_day)
    return {
        "shipments": Sum("shipped", default=0),
        "orders_shipped": Sum("shipped", filter=first, default=0),
        "seconds_to_ship": Sum("waited_seconds"),
        "on_time": Sum("shipped", filter=Q(waited_hours__lte=on_time_hours), default=0),
    }


def _rates(row: Row) -> Row:
    shipments = cast(int, row["shipments"])
    seconds = row["seconds_to_ship"]
    hours = Decimal(seconds) / shipments / SECONDS_PER_HOUR if shipments else None
    on_time = ratio(cast(int, row["on_time"]) * 100, shipments)
    return {**row, "average_hours_to_ship": hours, "on_time_rate": on_time}


def _from_summary(params: Mapping[str, Any]) -> tuple[list[Column], list[Row], Row]:
    days = FulfillmentDay.objects.filter(day__gte=params["date_from"], day__lte=params["date_to"])
    # A first week or month may start before the period: it counts from date_from.
    bucket_first_day = Greatest(F("bucket"), Value(params["date_from"]))
    keys, rows = grouped_rows(
        days,
        params=params,
        date_field="day",
        objects=(),
        measures=_summary_measures(params["on_time_hours"], bucket_first_day),
    )
    totals = days.aggregate(
        **_summary_measures(params["on_time_hours"], Value(params["date_from"]))
    )
    return keys, rows, totals


def _from_shipments(params: Mapping[str, Any]) -> tuple[list[Column], list[Row], Row]:
    start, end = period_bounds(params)
    shipments = Shipment.objects.filter(shipped_at__gte=start, shipped_at__lt=end)
    measures = _measures(params["on_time_hours"])
    keys, rows = grouped_rows(
        shipments, params=params, date_field="shipped_at", objects=(), measures=measures
    )
    return keys, rows, shipments.aggregate(**measures)


def fulfillment(params: Mapping[str, Any]) -> Body:
    """From the daily summary in the business's zone it was built in
    (``reporting.summaries``), else from the shipments."""
    summarized = days_answer(built_zone(FULFILLMENT), params["tz"])
    keys, rows, totals = (_from_summary if summarized else _from_shipments)(params)
    return Body(
        columns=[*keys, *COLUMNS],
        rows=[_rates(row) for row in rows],
        totals=_rates(totals),
    )


REPORT = Report(
    name="fulfillment",
    description="Shipments that left in the period (by `shipped_at`), per day, week or "
    "month: `shipments`, distinct `orders_shipped`, `average_hours_to_ship` from the "
    "order's confirmation and `on_time_rate` (percent shipped within `on_time_hours`).",
    params=FulfillmentParams,
    query=fulfillment,
)
