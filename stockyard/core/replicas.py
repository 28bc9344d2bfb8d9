"""Reports and exports read from a PostgreSQL replica when ``DATABASE_REPLICA_URL`` is set.

Everything else stays on the primary (``default``): every write, every other read of a
request or task, migrations. Reports are the long, read-only scans of the load; moving
them to a streaming replica keeps them from competing with orders for the primary.

A replica lags: it shows the primary as of a moment ago. A report must still show
everything that was committed before it was asked for (a shipment confirmed a second
earlier, by this user or another), so ``report_reads()`` chooses the database once per
report:

1. no replica configured: the primary;
2. a transaction is open on the primary (the caller may have written in it, and the
   replica cannot see uncommitted rows; a scheduled report is sent inside the
   transaction that claims its schedule): the primary;
3. otherwise the primary's WAL position (``pg_current_wal_lsn()``) is read, and the replica
   is read once it has replayed that far (``pg_last_wal_replay_lsn()``), which it is
   within milliseconds on a healthy stream. If it has not within
   ``DATABASE_REPLICA_MAX_WAIT`` seconds (2), or cannot be reached, the report reads the
   primary and logs ``replica_behind`` or ``replica_unavailable``.

So a report is never older than its request; the price is that short wait, and, while the
replica lags more than the limit, the reports' load back on the primary. A replica that
is not in recovery (a copy, not a streaming standby) has no replay position and is read as
it is. Commits are durable before they are acknowledged (``synchronous_commit`` on, the
default), so a commit that was acknowledged is below the position read in 3.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.models import Model

REPLICA = "replica"  # the alias config/settings/base.py gives DATABASE_REPLICA_URL

logger = structlog.get_logger("stockyard.replicas")

# The database that reads go to inside report_reads(); None elsewhere (the primary).
_reads_from: ContextVar[str | None] = ContextVar("reads_from", default=None)


class ReplicaRouter:
    """Django database router (``DATABASE_ROUTERS``): reads inside ``report_reads()`` go
    where it chose; everything else goes to ``default``. Never migrates the replica."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return _reads_from.get()

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


@contextmanager
def report_reads() -> Iterator[str]:
    """Run the block's reads in one read transaction on the replica when it has caught up
    with the primary (the rules above), else on the primary; yields the alias used.

    The transaction keeps server-side cursors valid while rows stream (and pins one
    server connection behind a transaction-pooling PgBouncer). Writes inside the block
    still go to the primary, outside that transaction."""
    alias = _report_database()
    previous = _reads_from.get()
    # Set and restored by value, not by token: a streamed download runs this generator's
    # steps in different copies of the request's context.
    _reads_from.set(None if alias == DEFAULT_DB_ALIAS else alias)
    try:
        with transaction.atomic(using=alias):
            yield alias
    finally:
        _reads_from.set(previous)


def _report_database() -> str:
    if REPLICA not in connections or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (position,) = cursor.fetchone()
    try:
        waited = _replica_caught_up(position, settings.DATABASE_REPLICA_MAX_WAIT)
    except OperationalError as error:
        logger.warning("replica_unavailable", error=str(error))
        return DEFAULT_DB_ALIAS
    if waited is None:
        logger.warning(
            "replica_behind", position=position, waited_s=settings.DATABASE_REPLICA_MAX_WAIT
        )
        return DEFAULT_DB_ALIAS
    return REPLICA


def _replica_caught_up(position: str, max_wait: float) -> float | None:
    """Seconds until the replica had replayed the primary's WAL ``position`` (0 when it
    had already, or is not a standby), polling at most ``max_wait``; None if it did not."""
    started = time.monotonic()
    pause = 0.005
    with connections[REPLICA].cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn",
                [position],
            )
            (caught_up,) = cursor.fetchone()
            waited = time.monotonic() - started
            if caught_up:
                return waited
            if waited >= max_wait:
                return None
            time.sleep(min(pause, max_wait - waited))
            pause = min(pause * 2, 0.1)
