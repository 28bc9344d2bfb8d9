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
from django.db.models import Avg, Count, DurationField, F, Q

from stockyard.reporting.enums import ColumnKind
from stockyard.reporting.reports.base import Body, Report
from stockyard.reporting.reports.grouping import grouped_rows
from stockyard.reporting.reports.params import PeriodParams, grouping, period_bounds
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
        "time_to_ship": Avg(
            F("shipped_at") - F("sales_order__confirmed_at"), output_field=DurationField()
        ),
        "on_time": Count("id", filter=Q(shipped_at__lte=deadline)),
    }


def _rates(row: Row) -> Row:
    shipments = cast(int, row["shipments"])
    waited = row["time_to_ship"]
    hours = (
        Decimal(waited.total_seconds()) / SECONDS_PER_HOUR
        if shipments and isinstance(waited, timedelta)
        else None
    )
    on_time = ratio(cast(int, row["on_time"]) * 100, shipments)
    return {**row, "average_hours_to_ship": hours, "on_time_rate": on_time}


def fulfillment(params: Mapping[str, Any]) -> Body:
    start, end = period_bounds(params)
    shipments = Shipment.objects.filter(shipped_at__gte=start, shipped_at__lt=end)
    measures = _measures(params["on_time_hours"])
    keys, rows = grouped_rows(
        shipments, params=params, date_field="shipped_at", objects=(), measures=measures
    )
    return Body(
        columns=[*keys, *COLUMNS],
        rows=[_rates(row) for row in rows],
        totals=_rates(shipments.aggregate(**measures)),
    )


REPORT = Report(
    name="fulfillment",
    description="Shipments that left in the period (by `shipped_at`), per day, week or "
    "month: `shipments`, distinct `orders_shipped`, `average_hours_to_ship` from the "
    "order's confirmation and `on_time_rate` (percent shipped within `on_time_hours`).",
    params=FulfillmentParams,
    query=fulfillment,
)
