from django.db import models
from django.db.models import Q


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
