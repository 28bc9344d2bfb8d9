import pghistory
from django.db import models
from django.db.models import Q

from stockyard.core.encryption import EncryptedTextField
from stockyard.core.models import TimeStampedModel


class Event(models.Model):
    """A business event in the transactional outbox.

    Rows are written in the same transaction as the change they describe, so an event
    exists exactly when its change committed. ``position`` is the event's place in the
    feed: NULL when written, assigned once the event has committed, by the sequencer
    (``services.events_sequence``), in one serialized order. Readers follow positions,
    never ids: ids come from a sequence, and transactions commit out of id order.
    """

    type = models.CharField(max_length=100, db_index=True)
    occurred_at = models.DateTimeField(db_index=True)
    data = models.JSONField()
    position = models.BigIntegerField(
        null=True,
        unique=True,
        editable=False,
        help_text="Place in the feed, assigned after commit; NULL until then.",
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(position__isnull=True), name="event_unsequenced_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"

    def as_message(self) -> dict[str, object]:
        return {
            "id": self.pk,
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "data": self.data,
        }


@pghistory.track()
class Webhook(TimeStampedModel):
    """An endpoint that receives, as signed POSTs, the events matching its patterns."""

    url = models.URLField(max_length=2000)
    events = models.JSONField(help_text="Event type patterns: stock.changed, sales_order.*, *.")
    secret = EncryptedTextField(help_text="Signs deliveries (HMAC-SHA256); never shown.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up: 24 h after the event, or the webhook was deactivated


class WebhookDelivery(models.Model):
    """One event for one webhook: made when the event is sequenced, in the same
    transaction, so each matching event gets exactly one; attempted until delivered or
    24 h after the event."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        help_text="When a worker may (re)try; also a lease while one is trying."
    )
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="delivery_unique_event")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=DeliveryStatus.PENDING),
                name="delivery_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.webhook_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of a delivery, whatever came of it."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.attempted_at}: {self.status_code or self.error}"
