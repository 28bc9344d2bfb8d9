"""Writes of the reporting app: running a report.

Reports read other apps' data through their models and selectors and never write it.
"""

from collections.abc import Mapping
from typing import Any

from stockyard.core.errors import ValidationFailed
from stockyard.reporting.reports.base import Report
from stockyard.reporting.reports.params import ReportParams
from stockyard.reporting.tables import Table

# --- Running reports --------------------------------------------------------------------


def _validated(report: Report, params: Mapping[str, Any], *, prefix: str = "") -> ReportParams:
    """The report's parameters form, bound to ``params`` and valid; else a 400
    ``validation_error`` with field paths under ``prefix``."""
    form = report.params(data=params)
    if not form.is_valid():
        errors = {
            prefix + ("non_field_errors" if name == "__all__" else name): list(map(str, messages))
            for name, messages in form.errors.items()
        }
        field, messages = next(iter(errors.items()))
        raise ValidationFailed(f"{field}: {messages[0]}", errors=errors)
    return form


def report_run(*, report: Report, params: Mapping[str, Any]) -> Table:
    """Run ``report`` with ``params`` (a query string or a JSON object)."""
    return report.run(_validated(report, params))
