"""The outbox: services call ``publish`` (or ``publish_many``) inside their transaction."""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from stockyard.events.models import Event


def publish(type: str, data: Mapping[str, Any]) -> Event:
    """Record an event in the outbox, atomically with the caller's change.

    Must be called inside ``transaction.atomic``: an event outside a transaction could
    describe a change that never committed.
    """
    _require_transaction()
    return Event.objects.create(type=type, occurred_at=timezone.now(), data=_json_safe(data))


def publish_many(events: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Event]:
    """Record ``(type, data)`` events in the outbox with one INSERT, in the given order
    (their ids follow it), atomically with the caller's change. Same rule as ``publish``."""
    _require_transaction()
    now = timezone.now()
    return Event.objects.bulk_create(
        Event(type=type, occurred_at=now, data=_json_safe(data)) for type, data in events
    )


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publish() must run inside the service's transaction")


def _json_safe(data: Mapping[str, Any]) -> Any:
    """``data`` as it reads back from the JSON column (decimals and dates as strings)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
