from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from stockyard.reporting.reports.params import ReportParams
from stockyard.reporting.tables import Column, Row, Table


@dataclass(frozen=True)
class Body:
    """What a report's query found: columns, rows and totals, not yet rounded."""

    columns: Sequence[Column]
    rows: Sequence[Row]
    totals: Row
    total_columns: Sequence[Column] = field(default=())


@dataclass(frozen=True)
class Report:
    name: str
    description: str
    params: type[ReportParams]
    query: Callable[[Mapping[str, Any]], Body]

    def run(self, params: ReportParams) -> Table:
        """The table for ``params``, a bound form that has been validated."""
        with timezone.override(params.zone()):  # days, periods and buckets in that zone
            body = self.query(params.cleaned_data)
        return Table.create(
            report=self.name,
            params=params.normalized(),
            columns=body.columns,
            rows=body.rows,
            totals=body.totals,
            total_columns=body.total_columns,
        )
