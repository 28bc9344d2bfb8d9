"""Writes of the reporting app: running a report into a file, exports built in the
background, and schedules that email reports.

Reports read other apps' data through their models and selectors and never write it.
Background work is queued after commit; tasks pass ids and every step is safe to run
twice (exports are claimed pending → running under a row lock, schedule runs are
claimed with ``SELECT ... FOR UPDATE SKIP LOCKED``).
"""

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.core.files.base import File
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from stockyard.accounts.models import Actor, User, recorded_actor
from stockyard.core.errors import ApplicationError, ValidationFailed
from stockyard.core.jobs import job_claim
from stockyard.core.replicas import report_reads
from stockyard.integrations.notices import failure_notice_send
from stockyard.reporting import recurrence
from stockyard.reporting.enums import ExportStatus, FileFormat, Frequency
from stockyard.reporting.files import FILE_TYPES, file_name
from stockyard.reporting.models import Export, ReportSchedule
from stockyard.reporting.reports.base import Report
from stockyard.reporting.reports.params import (
    DATE_PARAMS,
    PeriodParams,
    ReportParams,
    unknown_params,
)
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
    """Run ``report`` with ``params`` (a query string or a JSON object) for a JSON answer:
    at most ``REPORT_MAX_ROWS`` rows, else 400 ``report_too_large``. Read in one
    transaction, as the rows of a large report come through a server-side cursor, from
    the replica when it has caught up (``core.replicas.report_reads``)."""
    form = _validated(report, params)
    with report_reads():
        return report.run(form, row_limit=settings.REPORT_MAX_ROWS)


@dataclass(frozen=True)
class ReportFile:
    name: str
    media_type: str
    chunks: Iterator[bytes]  # read once


def report_file(
    *, report: Report, params: Mapping[str, Any], file_format: FileFormat
) -> ReportFile:
    """``report`` as a file of any size, made while it is read. The parameters are checked
    now (400 before anything is sent); the report runs at the first chunk, its rows
    streamed from a server-side cursor inside one read-only transaction (a cursor must
    live in a transaction behind a transaction-pooling PgBouncer, and outside one
    PostgreSQL would copy the whole result before the first row), on the replica when it
    has caught up (``core.replicas.report_reads``): downloads and exports alike."""
    form = _validated(report, params)
    file_type = FILE_TYPES[file_format]

    def chunks() -> Iterator[bytes]:
        with report_reads():
            yield from file_type.chunks(report.run(form, row_limit=None))

    return ReportFile(
        name=file_name(report.name, form.normalized(), file_format),
        media_type=file_type.content_type,
        chunks=chunks(),
    )


def _stored_params_form(report: Report, params: Any, field: str) -> ReportParams:
    if not isinstance(params, Mapping):
        raise ValidationFailed(errors={field: ["Must be an object of report parameters."]})
    unknown = unknown_params(params, report.params())
    if unknown:
        message = f"Not a parameter of the {report.name} report."
        raise ValidationFailed(errors={f"{field}.{name}": [message] for name in unknown})
    return _validated(report, params, prefix=f"{field}.")


def report_params_validate(*, report: Report, params: Any, field: str = "params") -> dict[str, Any]:
    """``params`` for storing with a schedule: a JSON object of the report's parameters
    only, each checked and normalized (``"3"`` → ``3``). Defaults are left out, so the
    default period moves with each run."""
    normalized = _stored_params_form(report, params, field).normalized()
    return {name: normalized[name] for name in params}


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
        # robust: with the broker down the export stays pending and exports_reap queues it.
        transaction.on_commit(lambda: _queue_export(export.pk), robust=True)
    return export


def _queue_export(export_id: int) -> None:
    from stockyard.reporting.tasks import build_export

    build_export.delay(export_id)


MAX_EXPORT_ATTEMPTS = 3
EXPORT_PENDING_GRACE = timedelta(minutes=5)


def _stale_after() -> timedelta:
    """A running export older than the task time limit died with its worker."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def exports_reap() -> list[int]:
    """Periodic: queue again the exports nobody is building, or give up on them.

    An export ``running`` past the task time limit lost its worker (killed mid-build); one
    ``pending`` for longer than ``EXPORT_PENDING_GRACE`` lost its message (the broker was
    down). Each is queued again (``export_build`` takes it over) until it has been tried
    ``MAX_EXPORT_ATTEMPTS`` times; then it is ``failed``. Returns the ids queued.
    """
    now = timezone.now()
    stale_running = Export.objects.filter(
        status=ExportStatus.RUNNING, started_at__lt=now - _stale_after()
    )
    stale_running.filter(attempts__gte=MAX_EXPORT_ATTEMPTS).update(
        status=ExportStatus.FAILED,
        error=f"The export's worker stopped {MAX_EXPORT_ATTEMPTS} times; it was given up.",
        finished_at=now,
        updated_at=now,
    )
    lost = Export.objects.filter(
        status=ExportStatus.PENDING, created_at__lt=now - EXPORT_PENDING_GRACE
    )
    again = [*stale_running.values_list("pk", flat=True), *lost.values_list("pk", flat=True)]
    for export_id in again:
        _queue_export(export_id)
    return again


def export_build(*, export_id: int) -> Export | None:
    """Build the export's file. Only a pending export (or one whose worker died) is
    built: a second run of the task finds it running or done and does nothing."""
    export = job_claim(Export, export_id, stale_after=_stale_after())
    if export is None:
        return None
    export.attempts += 1  # counted for exports_reap, which gives up after a few
    Export.objects.filter(pk=export.pk).update(attempts=F("attempts") + 1)
    try:
        found = report_file(
            report=report_get(name=export.report),
            params=export.params,
            file_format=FileFormat(export.format),
        )
        with tempfile.TemporaryFile() as content:  # the file never whole in memory
            content.writelines(found.chunks)
            export.file.save(found.name, File(content), save=False)
    except Exception as exc:
        logger.exception("export_failed", export_id=export.pk)
        export.status = ExportStatus.FAILED
        export.error = exc.detail if isinstance(exc, ApplicationError) else "The report failed."
    else:
        export.file_name = found.name
        export.status = ExportStatus.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "file", "file_name", "error", "finished_at", "updated_at"])
    return export


# --- Schedules ----------------------------------------------------------------------------

RESCHEDULING_FIELDS = frozenset({"frequency", "hour", "is_active"})


def _next_run(schedule: ReportSchedule, *, after: datetime) -> datetime:
    return recurrence.next_run(
        Frequency(schedule.frequency), schedule.hour, after=after, zone=schedule.zone
    )


def _schedule_prepare(schedule: ReportSchedule, *, reschedule: bool) -> None:
    """Check the parameters against the report; when the timing changed, work out the
    next run (none while inactive)."""
    report = report_get(name=schedule.report)
    schedule.params = report_params_validate(report=report, params=schedule.params)
    if reschedule:
        schedule.next_run_at = (
            _next_run(schedule, after=timezone.now()) if schedule.is_active else None
        )


@transaction.atomic
def report_schedule_create(*, user: Actor, **fields: Any) -> ReportSchedule:
    """A schedule (``name, report, params, format, frequency, hour, recipients,
    is_active``); its parameters are checked against the report now, not when it runs."""
    schedule = ReportSchedule(created_by=recorded_actor(user), **fields)
    _schedule_prepare(schedule, reschedule=True)
    schedule.save()
    return schedule


@transaction.atomic
def report_schedule_update(*, schedule: ReportSchedule, **fields: Any) -> ReportSchedule:
    """Change the schedule; renaming it or adding a recipient keeps a run that is due,
    changing when it runs (``frequency``, ``hour``, ``is_active``, the ``tz`` of its
    ``params``) works the next run out again."""
    zone = schedule.zone
    reschedule = any(
        getattr(schedule, name) != value
        for name, value in fields.items()
        if name in RESCHEDULING_FIELDS
    )
    for name, value in fields.items():
        setattr(schedule, name, value)
    _schedule_prepare(schedule, reschedule=reschedule or schedule.zone != zone)
    schedule.save()
    return schedule


def report_schedule_delete(*, schedule: ReportSchedule) -> None:
    schedule.delete()


def _scheduled_params(schedule: ReportSchedule, *, due: datetime) -> dict[str, Any]:
    """The stored parameters, with the period the run covers when they name none."""
    report = report_get(name=schedule.report)
    params = dict(schedule.params)
    if issubclass(report.params, PeriodParams) and not params.keys() & set(DATE_PARAMS):
        date_from, date_to = recurrence.covered_period(
            Frequency(schedule.frequency), due=due, zone=schedule.zone
        )
        params.update(date_from=date_from.isoformat(), date_to=date_to.isoformat())
    return params


def _send(schedule: ReportSchedule, *, due: datetime) -> None:
    report = report_get(name=schedule.report)
    form = _validated(report, _scheduled_params(schedule, due=due))
    with report_reads():  # the primary: sent inside the transaction that claimed it
        table = report.run(form, row_limit=None)
        rows = list(table.rows)  # an attachment is whole in memory anyway
    table = replace(table, rows=rows)
    file_format = FileFormat(schedule.format)
    name = file_name(report.name, table.params, file_format)
    content, media_type = FILE_TYPES[file_format].render(table), FILE_TYPES[file_format].media_type
    period = " to ".join(str(table.params[p]) for p in DATE_PARAMS if table.params.get(p))
    message = EmailMessage(
        subject=f"[Stockyard] {schedule.name}",
        body=f"The {table.report} report{f' for {period}' if period else ''} is attached "
        f"({len(rows)} rows).\n\nSent by the report schedule “{schedule.name}”.",
        to=list(schedule.recipients),
    )
    message.attach(name, content, media_type)
    message.send()


def _record_outcome(schedule: ReportSchedule, *, now: datetime, error: Exception | None) -> None:
    """Note how a run went on ``schedule`` (the caller saves it): success clears the last
    error; a failure is kept in ``last_error`` and mailed to the schedule's owner, so a
    schedule never fails silently."""
    if error is None:
        schedule.last_run_at = now
        schedule.last_error = ""
        return
    logger.error("report_schedule_failed", schedule_id=schedule.pk, error=repr(error))
    schedule.last_error = f"{now.isoformat()}: {error}"
    schedule.last_error_at = now
    _notify_failure(schedule, error)


def _send_recording(schedule: ReportSchedule, *, due: datetime, now: datetime) -> bool:
    """Send the schedule's report and record the outcome; answers whether it was sent."""
    try:
        with transaction.atomic():  # a failure leaves the caller's transaction usable
            _send(schedule, due=due)
    except Exception as exc:
        _record_outcome(schedule, now=now, error=exc)
        return False
    _record_outcome(schedule, now=now, error=None)
    return True


SCHEDULE_OUTCOME_FIELDS = ["last_run_at", "last_error", "last_error_at", "updated_at"]


def report_schedule_send_due(*, now: datetime | None = None) -> list[int]:
    """Email every schedule due by ``now`` once: each is claimed with
    ``SELECT ... FOR UPDATE SKIP LOCKED`` and moved on to its next run in the transaction
    that sends it, so workers running this together never send one twice. A run that
    fails is recorded (``last_error``, mailed to the owner) and skipped until the next
    one. Answers the ids sent."""
    now = now or timezone.now()
    sent: list[int] = []
    while True:
        with transaction.atomic():
            schedule = (
                ReportSchedule.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("created_by")
                .filter(is_active=True, next_run_at__lte=now)
                .order_by("next_run_at", "id")
                .first()
            )
            if schedule is None:
                return sent
            if _send_recording(schedule, due=schedule.next_run_at or now, now=now):
                sent.append(schedule.pk)
            schedule.next_run_at = _next_run(schedule, after=now)
            schedule.save(update_fields=[*SCHEDULE_OUTCOME_FIELDS, "next_run_at"])


def _notify_failure(schedule: ReportSchedule, exc: Exception) -> None:
    reason = (
        exc.detail if isinstance(exc, ApplicationError) else "the report could not be built or sent"
    )
    failure_notice_send(
        subject=f"Scheduled report failed: {schedule.name}",
        body=f"The report schedule “{schedule.name}” (#{schedule.pk}) did not send its "
        f"{schedule.report} report: {reason}.\nIt will try again at its next run.",
        to=[schedule.created_by.email] if schedule.created_by and schedule.created_by.email else [],
    )


def report_schedule_request_run(*, schedule: ReportSchedule) -> datetime:
    """Queue a run of ``schedule`` now (after commit); answers when it was asked for."""
    requested_at = timezone.now()
    transaction.on_commit(lambda: _queue_run(schedule.pk, requested_at))
    return requested_at


def _queue_run(schedule_id: int, requested_at: datetime) -> None:
    from stockyard.reporting.tasks import run_report_schedule

    run_report_schedule.delay(schedule_id, requested_at.isoformat())


@transaction.atomic
def report_schedule_run(*, schedule_id: int, requested_at: datetime) -> bool:
    """Send the schedule's report now, unless it was sent since ``requested_at`` (the
    task ran already). Does not move the next scheduled run. A failure is recorded as
    for scheduled runs. Answers whether it sent."""
    schedule = (
        ReportSchedule.objects.select_for_update(of=("self",))
        .select_related("created_by")
        .filter(pk=schedule_id)
        .first()
    )
    if schedule is None or (schedule.last_run_at and schedule.last_run_at >= requested_at):
        return False
    now = timezone.now()
    sent = _send_recording(schedule, due=now, now=now)
    schedule.save(update_fields=SCHEDULE_OUTCOME_FIELDS)
    return sent
