from celery import shared_task

from stockyard.core.idempotency import idempotency_purge_expired


@shared_task
def purge_expired_idempotency_keys() -> int:
    return idempotency_purge_expired()
