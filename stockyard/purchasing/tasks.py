from celery import shared_task

from stockyard.purchasing.services import reorder_alerts_publish


@shared_task
def publish_reorder_alerts() -> int:
    """Daily: a ``stock.below_reorder_point`` event per reorder suggestion, once a day."""
    return reorder_alerts_publish()
