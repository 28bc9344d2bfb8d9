from celery import shared_task

from stockyard.core.health import beat_heartbeat_stamp
from stockyard.core.idempotency import idempotency_purge_expired


@shared_task
def purge_expired_idempotency_keys() -> int:
    return idempotency_purge_expired()


@shared_task
def beat_heartbeat() -> None:
    """Scheduled by beat every ``BEAT_HEARTBEAT_SECONDS``: /readyz shows when it last ran."""
    beat_heartbeat_stamp()
