"""Reads: the event feed (events in ``position`` order after a client's cursor), webhooks."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from django.db.models import Max, QuerySet

from stockyard.events import patterns
from stockyard.events.models import Event, Webhook, WebhookAttempt
from stockyard.events.services import events_sequence

FEED_LIMIT = 500


@dataclass(frozen=True)
class FeedPage:
    events: list[Event]
    cursor: int  # pass as ``after`` next time


def event_feed(
    *, after: int | None, types: Sequence[str] = (), limit: int = FEED_LIMIT
) -> FeedPage:
    """Up to ``limit`` events after position ``after`` whose type matches ``types``.

    Without ``after``: no events and the cursor of the present end, to follow from now.
    The cursor moves past events that ``types`` filters out, so a filtered follower does
    not read them again. Committed events still without a position are sequenced first,
    so a reader never waits for the periodic sweep.
    """
    if Event.objects.filter(position__isnull=True).exists():
        events_sequence()
    end = Event.objects.aggregate(end=Max("position"))["end"] or 0
    if after is None or after >= end:
        return FeedPage(events=[], cursor=end)
    # Every position up to ``end`` belongs to a committed event (the sequencer assigns
    # them in order, one transaction at a time), so reading up to it can skip nothing.
    events = list(
        Event.objects.filter(patterns.as_q(types), position__gt=after, position__lte=end)
        .order_by("position")
        .only("id", "type", "occurred_at", "data", "position")[:limit]
    )
    cursor = end if len(events) < limit else cast(int, events[-1].position)
    return FeedPage(events=events, cursor=cursor)


def webhook_list() -> QuerySet[Webhook]:
    return Webhook.objects.order_by("id")


def webhook_attempt_list(*, webhook: Webhook) -> QuerySet[WebhookAttempt]:
    """Every attempt to deliver to ``webhook``, newest first."""
    return (
        WebhookAttempt.objects.filter(delivery__webhook=webhook)
        .select_related("delivery__event")
        .defer("delivery__event__data")
        .order_by("-attempted_at", "-id")
    )
