from celery import shared_task

from stockyard.events.services import events_sequence_run
from stockyard.events.webhooks import webhook_deliveries_dispatch_due, webhook_delivery_attempt


@shared_task
def sequence_events() -> int:
    """Number committed events in the feed: asked for after publishing commits (at most
    once per window while they keep coming), and run periodically to catch what a lost
    message or a crash left unnumbered."""
    return events_sequence_run()


@shared_task
def deliver_webhook(delivery_id: int) -> None:
    """POST one delivery if it is due; a second run of the same id does nothing."""
    webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task
def dispatch_webhook_retries() -> int:
    """Periodic: queue the pending deliveries that are due (retries, lost tasks)."""
    return webhook_deliveries_dispatch_due()
