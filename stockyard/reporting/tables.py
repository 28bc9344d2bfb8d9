"""What every report answers: typed columns and rows, plus totals.

A report builds a ``Table`` of Python values (``Decimal``, ``int``, ``date``, ``str``,
``None``); ``Table.create`` rounds each value as its column kind says (half-up: money to the minor
unit of ``DEFAULT_CURRENCY``, the currency every report states amounts in; 3 places for
quantities, 4 for unit costs, 2 for hours and percentages). The renderers (JSON, CSV,
XLSX) show the same table.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db.models import DateField, DateTimeField, Expression
from django.db.models.functions import Trunc
from django.utils import timezone

from stockyard.core import decimals
from stockyard.reporting.enums import ColumnKind, TimeBucket

Value = Decimal | int | str | date | datetime | None
Row = dict[str, Any]  # values are Value; Any keeps query rows assignable


def report_money(value: Decimal | int | str) -> Decimal:
    """An amount as reports state it: in ``DEFAULT_CURRENCY``, to its minor unit."""
    return decimals.money(value, settings.DEFAULT_CURRENCY)


_ROUNDING: dict[str, Callable[[Any], Value]] = {
    ColumnKind.MONEY: report_money,
    ColumnKind.HOURS: partial(decimals.rounded, places=2),
    ColumnKind.PERCENT: partial(decimals.rounded, places=2),
    ColumnKind.QUANTITY: decimals.quantity,
    ColumnKind.COST: decimals.price,
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind

    def clean(self, value: Value) -> Value:
        rounding = _ROUNDING.get(self.kind)
        return rounding(value) if rounding is not None and value is not None else value


@dataclass(frozen=True)
class Table:
    """A report's answer. ``rows`` is a list when the report was run for JSON (bounded),
    or an iterator read once, straight from the database, when it was run for a file."""

    report: str
    params: dict[str, Value]
    columns: tuple[Column, ...]
    rows: list[Row] | Iterator[Row]
    totals: Row

    @classmethod
    def create(
        cls,
        *,
        report: str,
        params: Mapping[str, Value],
        columns: Sequence[Column],
        rows: Iterable[Mapping[str, Value]],
        totals: Mapping[str, Value],
        total_columns: Sequence[Column] = (),
    ) -> "Table":
        """A table with every value rounded by its column (a list of rows stays a list;
        an iterator is rounded as it is read). ``totals`` are rounded by the column of
        the same name, or by ``total_columns`` for totals no row has; other values a
        query computed on the way are left out."""
        by_name = {column.name: column for column in (*columns, *total_columns)}
        cleaned = (
            {column.name: column.clean(row[column.name]) for column in columns} for row in rows
        )
        return cls(
            report=report,
            params=dict(params),
            columns=tuple(columns),
            rows=list(cleaned) if isinstance(rows, Sequence) else cleaned,
            totals={
                name: by_name[name].clean(value)
                for name, value in totals.items()
                if name in by_name and name != "key"
            },
        )

    def values(self) -> Iterator[list[Value]]:
        """The rows as lists, in column order (for the file formats)."""
        for row in self.rows:
            yield [row[column.name] for column in self.columns]


# --- Time buckets: the rows of reports grouped by day, week or month -----------------------


def bucket_expression(field: str, bucket: TimeBucket) -> Expression:
    """The start date of ``field``'s day, week (from Monday) or month, in the active time
    zone (the report's ``tz``, else ``TIME_ZONE``)."""
    return _TruncInZone(field, bucket.value, output_field=DateField())


class _TruncInZone(Trunc):
    """``Trunc`` whose zone is the one active when the query is built, not when it runs:
    a streamed file reads its rows later, under another zone. Dates need none."""

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Any:
        resolved = super().resolve_expression(*args, **kwargs)
        if isinstance(resolved.lhs.output_field, DateTimeField):
            resolved.tzinfo = timezone.get_current_timezone()
        return resolved


def bucket_start(day: date, bucket: TimeBucket) -> date:
    """The first day of ``day``'s day, week (Monday) or month."""
    if bucket == TimeBucket.WEEK:
        return day - timedelta(days=day.weekday())
    if bucket == TimeBucket.MONTH:
        return day.replace(day=1)
    return day


def next_bucket(start: date, bucket: TimeBucket) -> date:
    """The first day of the bucket after the one starting on ``start``."""
    if bucket == TimeBucket.WEEK:
        return start + timedelta(days=7)
    if bucket == TimeBucket.MONTH:
        return (start + timedelta(days=32)).replace(day=1)
    return start + timedelta(days=1)


def bucket_key(start: date, bucket: TimeBucket) -> str:
    """``2026-11-02`` for a day, the Monday for a week, ``2026-11`` for a month."""
    return start.strftime("%Y-%m") if bucket == TimeBucket.MONTH else start.isoformat()


def bucket_rows(
    found: Mapping[date, Row],
    *,
    bucket: TimeBucket,
    date_from: date,
    date_to: date,
    empty: Callable[[], Row],
) -> list[Row]:
    """One row per bucket from ``date_from`` to ``date_to``, keyed, in time order; buckets
    without data get ``empty()``, so a chart of the rows has no holes."""
    rows = []
    start = bucket_start(date_from, bucket)
    while start <= date_to:
        rows.append({"key": bucket_key(start, bucket), **found.get(start, empty())})
        start = next_bucket(start, bucket)
    return rows


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """``numerator / denominator``, or ``None`` when there is nothing to divide by."""
    return Decimal(numerator) / Decimal(denominator) if denominator else None
