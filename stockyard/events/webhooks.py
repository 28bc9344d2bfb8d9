"""Webhooks: endpoints, one delivery per matching event, signed POSTs with retries.

Deliveries are made by the sequencer, in the transaction that gives events their
positions (``webhook_deliveries_create``): an event is sequenced exactly once, so each
active webhook matching it gets exactly one delivery, and a crash loses none. A worker
then POSTs it (``webhook_delivery_attempt``), taking ids and safe to run twice: it claims
the delivery with a lease first, and records every attempt.
"""

import hashlib
import hmac
import http.client
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.utils import timezone

from stockyard.events.models import DeliveryStatus, Event, Webhook, WebhookAttempt, WebhookDelivery
from stockyard.events.patterns import matches
from stockyard.events.serializers import EventSerializer
from stockyard.events.targets import UnsafeTarget, target_post, target_resolve

SIGNATURE_HEADER = "Stockyard-Signature"
TIMEOUT_SECONDS = 5.0
RETRY_WINDOW = timedelta(hours=24)  # after the event
FIRST_RETRY = timedelta(seconds=10)  # then doubling ...
LONGEST_RETRY = timedelta(hours=1)  # ... up to this
ATTEMPT_LEASE = timedelta(seconds=60)  # longer than an attempt can take


class WebhookChanges(TypedDict, total=False):
    url: str
    events: list[str]
    secret: str
    is_active: bool


def webhook_create(*, url: str, events: list[str], secret: str, is_active: bool = True) -> Webhook:
    target_resolve(url)
    return Webhook.objects.create(url=url, events=events, secret=secret, is_active=is_active)


@transaction.atomic
def webhook_update(*, webhook: Webhook, **changes: Unpack[WebhookChanges]) -> Webhook:
    """Change a webhook; deactivating it gives up its pending deliveries."""
    if "url" in changes:
        target_resolve(changes["url"])
    for name, value in changes.items():
        setattr(webhook, name, value)
    webhook.save()
    if not webhook.is_active:
        webhook.deliveries.filter(status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED
        )
    return webhook


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``: what receivers check."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def webhook_deliveries_create(
    *, events: Sequence[tuple[int, str]], webhooks: Sequence[tuple[int, list[str]]]
) -> None:
    """One delivery per webhook and matching event (``(id, type)``): to be called by the
    sequencer inside its transaction, with the active webhooks' ``(id, patterns)`` it read
    there. Workers are asked to deliver once it commits."""
    now = timezone.now()
    created = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook_id=webhook, event_id=event, next_attempt_at=now)
        for event, type in events
        for webhook, patterns in webhooks
        if matches(type, patterns)
    )
    if created:
        transaction.on_commit(partial(_enqueue, [d.pk for d in created]), robust=True)


def webhook_deliveries_dispatch_due(*, limit: int = 1000) -> int:
    """Ask workers to (re)try the pending deliveries that are due; returns how many."""
    due = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    _enqueue(due)
    return len(due)


def _enqueue(delivery_ids: list[int]) -> None:
    from stockyard.events.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        deliver_webhook.delay(delivery_id)


@dataclass(frozen=True)
class _Outcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookAttempt | None:
    """POST the delivery's event once, if it is pending, due and not being tried by
    another worker; record the attempt and schedule the next one. None when there was
    nothing to do (delivered, given up, not due, claimed elsewhere)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    outcome = _post(delivery.webhook, _body(delivery.event))
    return _record(delivery, outcome)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook", "event")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        if not delivery.webhook.is_active:
            delivery.status = DeliveryStatus.FAILED
            delivery.save(update_fields=["status"])
            return None
        delivery.next_attempt_at = now + ATTEMPT_LEASE  # a crash mid-attempt: retried then
        delivery.save(update_fields=["next_attempt_at"])
    return delivery


def _body(event: Event) -> bytes:
    data: dict[str, Any] = EventSerializer(event).data
    return json.dumps(data, separators=(",", ":")).encode()


def _post(webhook: Webhook, body: bytes) -> _Outcome:
    started = time.monotonic()
    try:
        target = target_resolve(webhook.url)  # again: the DNS answer may have changed
        timestamp = int(time.time())
        status_code = target_post(
            target,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Stockyard-Webhooks/1",
                SIGNATURE_HEADER: webhook_signature(
                    secret=webhook.secret, timestamp=timestamp, body=body
                ),
            },
            timeout=TIMEOUT_SECONDS,
        )
    except UnsafeTarget as exc:
        return _Outcome(None, exc.detail, _since(started))
    except (OSError, http.client.HTTPException) as exc:
        return _Outcome(None, f"{type(exc).__name__}: {exc}"[:500], _since(started))
    return _Outcome(status_code, "", _since(started))


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


@transaction.atomic
def _record(delivery: WebhookDelivery, outcome: _Outcome) -> WebhookAttempt:
    now = timezone.now()
    attempt = WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        status_code=outcome.status_code,
        error=outcome.error,
        duration_ms=outcome.duration_ms,
    )
    delivery.attempts += 1
    if outcome.succeeded:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
    else:
        retry_at = now + _backoff(delivery.attempts)
        if retry_at > _give_up_at(delivery.event):
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = retry_at
    delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
    return attempt


def _backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def _give_up_at(event: Event) -> datetime:
    return event.occurred_at + RETRY_WINDOW
