from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.utils import timezone

from stockyard.reporting.errors import ReportTooLarge
from stockyard.reporting.reports.params import ReportParams
from stockyard.reporting.tables import Column, Row, Table


@dataclass(frozen=True)
class Body:
    """What a report's query found: columns, rows and totals, not yet rounded."""

    columns: Sequence[Column]
    rows: Iterable[Row]  # a list, or an iterator streamed from the database
    totals: Row
    total_columns: Sequence[Column] = field(default=())
    row_count: int | None = None  # when the query counted its rows anyway (for totals)


@dataclass(frozen=True)
class Report:
    name: str
    description: str
    params: type[ReportParams]
    query: Callable[[Mapping[str, Any]], Body]

    def run(self, params: ReportParams, *, row_limit: int | None) -> Table:
        """The table for ``params``, a bound form that has been validated.

        With ``row_limit`` the rows are read into a list, and more than ``row_limit`` of
        them raise ``ReportTooLarge`` (400 ``report_too_large``; without reading any
        when the body's ``row_count`` already says so); without it they stay an
        iterator, read once (a file streams them). Days, periods and buckets are in the
        report's zone (``tz``, else ``TIME_ZONE``): the queries are built under it and
        name it explicitly, so rows streamed later still use it."""
        with timezone.override(params.zone()):
            body = self.query(params.cleaned_data)
        rows = body.rows
        if row_limit is not None and body.row_count is not None and body.row_count > row_limit:
            _close(rows)  # refused before a row is read: what a refusal costs stays flat
            raise ReportTooLarge(report=self.name, limit=row_limit)
        if row_limit is not None:
            rows = _at_most(rows, row_limit, report=self.name)
        return Table.create(
            report=self.name,
            params=params.normalized(),
            columns=body.columns,
            rows=rows,
            totals=body.totals,
            total_columns=body.total_columns,
        )


def _at_most(rows: Iterable[Row], limit: int, *, report: str) -> list[Row]:
    iterator = iter(rows)
    try:
        found = list(islice(iterator, limit + 1))
    finally:
        _close(iterator)
    if len(found) > limit:
        raise ReportTooLarge(report=report, limit=limit)
    return found


def _close(rows: Iterable[Row]) -> None:
    if isinstance(rows, Generator):
        rows.close()  # lets a database cursor go now
