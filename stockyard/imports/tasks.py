from celery import shared_task
from django.conf import settings

from stockyard.imports import services


@shared_task(time_limit=settings.IMPORT_TIME_LIMIT, soft_time_limit=settings.IMPORT_TIME_LIMIT - 60)
def run_import(import_id: int) -> str | None:
    """Apply one import, all or nothing; a second run finds it taken and does nothing."""
    job = services.import_run(import_id=import_id)
    return job.status if job else None
