from django.db import models


class Event(models.Model):
    """A business event in the transactional outbox.

    Rows are written in the same transaction as the change they describe, so an event
    exists exactly when its change committed. Delivery (WebSockets, long-poll, webhooks)
    reads from here.
    """

    type = models.CharField(max_length=100, db_index=True)
    occurred_at = models.DateTimeField(db_index=True)
    data = models.JSONField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"

    def as_message(self) -> dict[str, object]:
        return {
            "id": self.pk,
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "data": self.data,
        }
