"""Writes of the imports app: accepting a file, and applying it all or nothing.

A file is applied in one transaction, row by row, through the owning apps' services
(``kinds``). Every row is tried, so one run reports every bad row with its column; if
any row is bad, or the run is a dry run, the transaction is rolled back and nothing is
written. Progress is published to the cache as rows are applied (the import's own row
is inside the transaction, invisible until it ends).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from itertools import islice
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import File
from django.db import DatabaseError, transaction
from django.utils import timezone

from stockyard.accounts.models import User
from stockyard.accounts.roles import roles_allow
from stockyard.core.dispatch import enqueue
from stockyard.core.errors import ApplicationError, PermissionDenied
from stockyard.core.jobs import job_claim
from stockyard.imports import readers
from stockyard.imports.enums import ImportStatus
from stockyard.imports.kinds import KINDS, Kind, Lookups
from stockyard.imports.models import Import
from stockyard.integrations.notices import failure_notice_send

logger = structlog.get_logger("stockyard.imports")

RUN_TASK = "stockyard.imports.tasks.run_import"
MAX_ERRORS = 1000  # reported; a file with more bad rows says how many more
BATCH_ROWS = 500  # rows whose records are read in one query; progress is updated per batch
HEADER_ROW = 1


def progress_key(import_id: int) -> str:
    return f"imports:{import_id}:progress"


def import_create(
    *,
    user: User | None,
    kind: str,
    file: File[Any],
    file_name: str,
    dry_run: bool = False,
    queue: bool = True,
) -> Import:
    """Store ``file`` and, unless ``queue`` is false (the caller runs it), queue its
    import after commit. ``user`` None: the command line, allowed everything. Raises
    ``PermissionDenied`` when the user's roles may not write that kind of record,
    ``UnreadableFile`` (400) for a file that is neither CSV nor XLSX."""
    found = KINDS[kind]
    if user is not None and not roles_allow(user.roles, found.capability):
        raise PermissionDenied(f"Your roles do not allow importing {kind}.")
    head = file.read(len(b"PK\x03\x04"))
    file.seek(0)
    readers.file_format(file_name, head)
    with transaction.atomic():
        job = Import(owner=user, kind=kind, dry_run=dry_run, file_name=file_name)
        job.file.save(file_name, file, save=False)
        job.save()
        if queue:
            enqueue(RUN_TASK, job.pk)
    return job


@contextmanager
def _rows(job: Import) -> Iterator[tuple[list[str], Iterator[readers.Row]]]:
    with job.file.open("rb") as stream:
        fmt = readers.file_format(job.file_name, stream.read(4))
        stream.seek(0)
        with readers.rows(stream, fmt) as opened:
            yield opened


def import_run(*, import_id: int) -> Import | None:
    """Apply one import: all its rows, or none. A second run of the task finds it taken
    and does nothing. Ends ``done`` (applied, or a clean dry run) or ``failed`` (bad
    rows or an unreadable file: nothing written, ``errors`` says why)."""
    job = job_claim(Import, import_id, stale_after=timedelta(seconds=settings.IMPORT_TIME_LIMIT))
    if job is None:
        return None
    job.errors, job.created, job.updated = [], 0, 0
    try:
        with _rows(job) as (_, records):
            job.rows_total = sum(1 for _ in records)
        job.save(update_fields=["rows_total", "updated_at"])
        _apply(job)
    except readers.UnreadableFile as exc:
        job.errors = [{"row": None, "field": "file", "message": exc.detail}]
    except Exception:
        logger.exception("import_failed", import_id=job.pk)
        job.errors = [{"row": None, "field": "", "message": "The import failed unexpectedly."}]
    job.status = ImportStatus.FAILED if job.errors else ImportStatus.DONE
    if job.errors:
        job.created = job.updated = 0
    job.finished_at = timezone.now()
    job.save()
    cache.delete(progress_key(job.pk))
    if job.status == ImportStatus.FAILED and not job.dry_run:
        _notify_failure(job)
    return job


def _apply(job: Import) -> None:
    kind = KINDS[job.kind]
    with transaction.atomic(), _rows(job) as (header, records):
        job.errors = _header_errors(kind, header)
        if job.errors:
            return
        seen: dict[tuple[str, ...], int] = {}
        lookups = Lookups()
        done = 0
        for batch in _batches(records, BATCH_ROWS):
            kind.prefetch([record for _, record in batch], lookups)
            for number, record in batch:
                problems = _row_problems(kind, job, number, record, seen=seen, lookups=lookups)
                job.errors.extend(problems[: max(0, MAX_ERRORS - len(job.errors))])
            done += len(batch)
            cache.set(progress_key(job.pk), done, timeout=settings.IMPORT_TIME_LIMIT)
        if len(job.errors) >= MAX_ERRORS:
            job.errors.append(_error(None, "", f"Only the first {MAX_ERRORS} errors are listed."))
        if job.errors or job.dry_run:
            transaction.set_rollback(True)


def _batches(rows: Iterator[readers.Row], size: int) -> Iterator[list[readers.Row]]:
    """The rows in lists of ``size`` (the last one shorter), read as they are iterated."""
    while batch := list(islice(rows, size)):
        yield batch


def _header_errors(kind: Kind, header: list[str]) -> list[dict[str, Any]]:
    unknown = [name for name in header if name and name not in kind.columns]
    missing = [name for name in kind.keys if name not in header]
    return [
        *(_error(HEADER_ROW, name, "Unknown column (see the template).") for name in unknown),
        *(_error(HEADER_ROW, name, "Required column is missing.") for name in missing),
    ]


def _row_problems(
    kind: Kind,
    job: Import,
    number: int,
    record: dict[str, str],
    *,
    seen: dict[tuple[str, ...], int],
    lookups: Lookups,
) -> list[dict[str, Any]]:
    key = kind.key(record)
    if key in seen:
        message = f"Duplicates row {seen[key]}: {', '.join(kind.keys)} must differ per row."
        return [_error(number, kind.keys[0], message)]
    seen[key] = number
    try:
        outcome = kind.apply(record, user=job.owner, lookups=lookups)
    except ApplicationError as exc:
        if not exc.errors:
            return [_error(number, "", exc.detail)]
        return [
            _error(number, field, message)
            for field, messages in exc.errors.items()
            for message in messages
        ]
    except DatabaseError as exc:  # the row's savepoint is rolled back; the run goes on
        logger.warning("import_row_not_saved", import_id=job.pk, row=number, error=str(exc))
        return [_error(number, "", "The row could not be saved (a value is out of range).")]
    if outcome == "created":
        job.created += 1
    else:
        job.updated += 1
    return []


def _error(row: int | None, field: str, message: str) -> dict[str, Any]:
    return {"row": row, "field": field, "message": message}


def _notify_failure(job: Import) -> None:
    failure_notice_send(
        subject=f"Import #{job.pk} of {job.kind} failed",
        body=f"The import of {job.file_name} wrote nothing: {len(job.errors)} problem(s), "
        f"the first: {job.errors[0]['message']} (row {job.errors[0]['row']}).",
        to=[job.owner.email] if job.owner and job.owner.email else [],
    )


def import_template(*, kind: str) -> str:
    """The CSV header of ``kind`` (one line, no rows)."""
    return ",".join(KINDS[kind].columns) + "\r\n"
