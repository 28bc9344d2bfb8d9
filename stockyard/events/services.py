"""The outbox: services call ``publish`` (or ``publish_many``) inside their transaction.

After the transaction commits, the sequencer (``events_sequence``) gives its events their
``position`` in the feed. See docs/events.md for why positions, not ids, order the feed.
"""

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from stockyard.core.locks import take_turns_statement
from stockyard.core.statements import Statement, execute_together, insert_statement
from stockyard.events.announcements import announce
from stockyard.events.models import Event, Webhook
from stockyard.events.webhooks import webhook_deliveries_create

SEQUENCE_BATCH = 1000
SEQUENCER_TURN = "events.sequencer"  # the lock sequencer runs take turns on


def publish(type: str, data: Mapping[str, Any]) -> Event:
    """Record an event in the outbox, atomically with the caller's change.

    Must be called inside ``transaction.atomic``: an event outside a transaction could
    describe a change that never committed.
    """
    _require_transaction()
    event = Event.objects.create(type=type, occurred_at=timezone.now(), data=_json_safe(data))
    _sequence_after_commit()
    return event


def publish_many(events: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Event]:
    """Record ``(type, data)`` events in the outbox with one INSERT, in the given order
    (their ids follow it), atomically with the caller's change. Same rule as ``publish``."""
    _require_transaction()
    created = Event.objects.bulk_create(_outbox_rows(events))
    _sequence_after_commit()
    return created


def publishing_statement(events: Sequence[tuple[str, Mapping[str, Any]]]) -> Statement:
    """``publish_many`` for a service that sends the outbox INSERT along with its own
    writes, in one round trip (``core.statements.execute_together``): the INSERT recording
    ``events`` (at least one), in the given order. Same rule: the caller's transaction must
    run it; sequencing is asked for once that transaction commits."""
    _require_transaction()
    statement = insert_statement(_outbox_rows(events))
    _sequence_after_commit()
    return statement


def _outbox_rows(events: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Event]:
    now = timezone.now()
    return [Event(type=type, occurred_at=now, data=_json_safe(data)) for type, data in events]


def events_sequence() -> int:
    """Give every committed event still without a position the next positions, in id
    order, make their webhook deliveries, and announce them; returns how many were
    sequenced.

    Runs in a worker after each publishing transaction commits, before the feed reads
    and from a periodic sweep; any number may run at once. One at a time holds the sequencer lock,
    and sees (READ COMMITTED, a snapshot per statement taken after the lock) every event
    committed before it, including the positions its predecessor assigned. So positions
    only ever grow, and the events a reader can see always hold positions 1..N with no
    hole: a reader following ``position > cursor`` cannot skip a late-committing event.
    """
    total = 0
    while count := _sequence_batch():
        total += count
        if count < SEQUENCE_BATCH:
            break
    return total


# One statement numbers a batch: the next positions after the highest, in id order.
# PostgreSQL and SQLite (3.35+) both read it. The ORM would take three (read the batch,
# read the highest position, a bulk_update built as a CASE per row) and ~10x the CPU.
NUMBER_BATCH = """
UPDATE {table} SET position = numbered.position
FROM (
    SELECT id,
           (SELECT COALESCE(MAX(position), 0) FROM {table})
           + ROW_NUMBER() OVER (ORDER BY id) AS position
    FROM {table}
    WHERE position IS NULL
    ORDER BY id
    LIMIT %s
) AS numbered
WHERE {table}.id = numbered.id
RETURNING {table}.id, {table}.type
"""


ACTIVE_WEBHOOKS = "SELECT id, events FROM {table} WHERE is_active"


def _sequence_batch() -> int:
    with transaction.atomic():
        numbered, webhooks = _number_batch()
        if not numbered:
            return 0
        if webhooks:
            webhook_deliveries_create(events=numbered, webhooks=webhooks)
        transaction.on_commit(announce, robust=True)
    return len(numbered)


def _number_batch() -> tuple[list[tuple[int, str]], list[tuple[int, list[str]]]]:
    """Take the sequencer's turn and number a batch: ``(id, type)`` of the numbered
    events in id order; and when there are any, the active webhooks' ``(id, patterns)``.

    The lock and the numbering go in one round trip (``execute_together``): they run in
    turn in the caller's transaction, each with its own snapshot (READ COMMITTED), so the
    numbering still sees everything committed before the lock was granted."""
    table = connection.ops.quote_name(Event._meta.db_table)
    numbered = execute_together(
        [take_turns_statement(SEQUENCER_TURN), (NUMBER_BATCH.format(table=table), [SEQUENCE_BATCH])]
    )
    if not numbered:
        return [], []
    with connection.cursor() as cursor:
        cursor.execute(
            ACTIVE_WEBHOOKS.format(table=connection.ops.quote_name(Webhook._meta.db_table))
        )
        webhooks = cursor.fetchall()
    # Django reads JSON columns as text (the field decodes them); the same here.
    return sorted(numbered), [(id, json.loads(events)) for id, events in webhooks]


def _sequence_after_commit() -> None:
    """Ask for a sequencer run once the caller's transaction commits, however often it
    published.

    The run is a Celery task: a worker numbers the events and announces them, so a
    request pays for one cache write, not for the sequencer's transaction and its wait
    for the lock; and while a run is asked for and not started, commits do not ask again
    (see ``_request_sequencing``). Where tasks run inline (a laptop without Redis, the
    tests) it runs at once, as before. ``robust``: a failure is logged and left to the
    next run (the feed's own, before it reads, or the periodic sweep), never turned into
    an error for a change that has already committed.
    """
    pending_hooks = transaction.get_connection().run_on_commit
    if all(hook is not _request_sequencing for _, hook, _ in pending_hooks):
        transaction.on_commit(_request_sequencing, robust=True)


SEQUENCING_ASKED = "events:sequencing-asked"
"""Cache key set while a sequencer run is asked for and has not started: commits meanwhile
need not ask again, as that run will number their events too (it clears the key before it
reads)."""
SEQUENCING_ASK_SECONDS = 10  # a lost message is covered by the sweep, which runs as often
SEQUENCING_WINDOW_ENDS = "events:sequencing-window-ends"
"""Cache key: when (Unix time) the window opened by the latest run's start closes."""
SEQUENCING_WINDOW_SECONDS = 0.1
"""Runs start at most this often while commits keep coming: a commit within a window after
a run started asks for the next run at the window's end, and the commits until then are
numbered by that one run. So an event waits at most this long (plus the run) for its
position and announcement; a commit after a quiet spell asks for a run at once."""


def _request_sequencing() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:  # no worker: number them here and now
        events_sequence()
        return
    if cache.add(SEQUENCING_ASKED, True, timeout=SEQUENCING_ASK_SECONDS):
        from stockyard.events.tasks import sequence_events  # that module imports this one

        wait = _window_left()
        if wait > 0:
            sequence_events.apply_async(countdown=wait)
        else:
            sequence_events.delay()


def _window_left() -> float:
    """Seconds until the latest run's window closes (0 when it has), at most a window:
    the time is the worker's clock, and a skewed one must not hold a run back longer."""
    ends = cache.get(SEQUENCING_WINDOW_ENDS)
    if ends is None:
        return 0.0
    return min(max(float(ends) - _clock(), 0.0), SEQUENCING_WINDOW_SECONDS)


def events_sequence_run() -> int:
    """A sequencer run as a worker makes it (asked for after commits, or the periodic
    sweep): open a window, so that commits from now on ask for the next run at its end,
    not at once; clear the ask, so that they do ask (a commit that still finds it set
    committed before this run reads, and is numbered by it); then ``events_sequence``."""
    cache.set(SEQUENCING_WINDOW_ENDS, _clock() + SEQUENCING_WINDOW_SECONDS, SEQUENCING_ASK_SECONDS)
    cache.delete(SEQUENCING_ASKED)
    return events_sequence()


def _clock() -> float:
    return time.time()


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publish() must run inside the service's transaction")


def _json_safe(data: Mapping[str, Any]) -> Any:
    """``data`` as it reads back from the JSON column (decimals and dates as strings)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
