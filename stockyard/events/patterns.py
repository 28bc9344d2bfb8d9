"""Event type patterns: ``stock.changed`` (one type), ``sales_order.*`` (a family), ``*``.

The long-poll's ``types``, a WebSocket's ``subscribe`` and a webhook's ``events`` all use
them; they match in Python (``matches``) and in SQL (``as_q``) the same way.
"""

import re
from collections.abc import Iterable, Sequence

from django.db.models import Q

MAX_PATTERNS = 50
MAX_PATTERN_LENGTH = 100
_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$")


def pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid type pattern, or None when it is."""
    if len(pattern) > MAX_PATTERN_LENGTH or not _PATTERN.match(pattern):
        return (
            f"'{pattern[:MAX_PATTERN_LENGTH]}' is not an event type pattern: use a type "
            "(stock.changed), a family (sales_order.*) or *."
        )
    return None


def matches(event_type: str, patterns: Iterable[str]) -> bool:
    return any(_match(event_type, pattern) for pattern in patterns)


def _match(event_type: str, pattern: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return event_type == pattern


def as_q(patterns: Sequence[str]) -> Q:
    """A filter on ``type`` matching any of ``patterns``; no patterns match everything."""
    if not patterns or "*" in patterns:
        return Q()
    condition = Q(pk__in=[])
    for pattern in patterns:
        if pattern.endswith(".*"):
            condition |= Q(type__startswith=pattern[:-1])
        else:
            condition |= Q(type=pattern)
    return condition
