"""The outbox: services call ``publish`` inside their transaction."""

import json
from collections.abc import Mapping
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
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publish() must run inside the service's transaction")
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return Event.objects.create(type=type, occurred_at=timezone.now(), data=payload)
