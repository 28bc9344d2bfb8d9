"""Writes of the reporting app: running a report into a file, and exports built in the
background.

Reports read other apps' data through their models and selectors and never write it.
Background work is queued after commit; tasks pass ids and are safe to run twice
(exports are claimed pending → running under a row lock).
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from stockyard.accounts.models import User
from stockyard.core.errors import ApplicationError, ValidationFailed
from stockyard.reporting.enums import ExportStatus, FileFormat
from stockyard.reporting.files import FILE_TYPES, file_name
from stockyard.reporting.models import Export
from stockyard.reporting.reports.base import Report
from stockyard.reporting.reports.params import ReportParams, unknown_params
from stockyard.reporting.selectors import report_get
from stockyard.reporting.tables import Table

logger = structlog.get_logger("stockyard.reporting")

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


def _stored_params_form(report: Report, params: Any, field: str) -> ReportParams:
    if not isinstance(params, Mapping):
        raise ValidationFailed(errors={field: ["Must be an object of report parameters."]})
    unknown = unknown_params(params, report.params())
    if unknown:
        message = f"Not a parameter of the {report.name} report."
        raise ValidationFailed(errors={f"{field}.{name}": [message] for name in unknown})
    return _validated(report, params, prefix=f"{field}.")


def report_file(*, table: Table, file_format: FileFormat) -> tuple[str, bytes, str]:
    """``(file name, content, media type)`` of ``table`` as a file."""
    file_type = FILE_TYPES[file_format]
    return file_name(table, file_format), file_type.render(table), file_type.media_type


# --- Exports ------------------------------------------------------------------------------


def export_create(
    *, user: User, report: str, params: Mapping[str, Any], file_format: FileFormat
) -> Export:
    """A pending export of ``report``; the file is built in the background. Its
    parameters are stored resolved (the default period becomes dates), so the file shows
    what was asked for whenever it is built."""
    found = report_get(name=report)
    resolved = _stored_params_form(found, params, "params").normalized()
    with transaction.atomic():
        export = Export.objects.create(
            owner=user, report=found.name, params=resolved, format=file_format
        )
        transaction.on_commit(lambda: _queue_export(export.pk))
    return export


def _queue_export(export_id: int) -> None:
    from stockyard.reporting.tasks import build_export

    build_export.delay(export_id)


def _stale_before() -> datetime:
    """A running export older than the task time limit died with its worker."""
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def _export_claim(export_id: int) -> Export | None:
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_id).first()
        if export is None:
            return None
        stale = export.status == ExportStatus.RUNNING and (
            export.started_at is None or export.started_at < _stale_before()
        )
        if export.status != ExportStatus.PENDING and not stale:
            return None
        export.status = ExportStatus.RUNNING
        export.started_at = timezone.now()
        export.save(update_fields=["status", "started_at", "updated_at"])
        return export


def export_build(*, export_id: int) -> Export | None:
    """Build the export's file. Only a pending export (or one whose worker died) is
    built: a second run of the task finds it running or done and does nothing."""
    export = _export_claim(export_id)
    if export is None:
        return None
    try:
        table = report_run(report=report_get(name=export.report), params=export.params)
        name, content, _ = report_file(table=table, file_format=FileFormat(export.format))
    except Exception as exc:
        logger.exception("export_failed", export_id=export.pk)
        export.status = ExportStatus.FAILED
        export.error = exc.detail if isinstance(exc, ApplicationError) else "The report failed."
    else:
        export.file.save(name, ContentFile(content), save=False)
        export.file_name = name
        export.status = ExportStatus.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "file", "file_name", "error", "finished_at", "updated_at"])
    return export
