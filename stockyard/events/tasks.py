from celery import shared_task

from stockyard.events.services import events_sequence
from stockyard.events.webhooks import webhook_deliveries_dispatch_due, webhook_delivery_attempt


@shared_task
def sequence_events() -> int:
    """Periodic sweep: sequence events whose after-commit sequencing did not run (the
    process died between commit and hook, or the hook failed)."""
    return events_sequence()


@shared_task
def deliver_webhook(delivery_id: int) -> None:
    """POST one delivery if it is due; a second run of the same id does nothing."""
    webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task
def dispatch_webhook_retries() -> int:
    """Periodic: queue the pending deliveries that are due (retries, lost tasks)."""
    return webhook_deliveries_dispatch_due()
