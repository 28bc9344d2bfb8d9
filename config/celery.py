"""The Celery app: ``celery -A config worker -B``."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("stockyard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _announce_from_one_loop(**_: Any) -> None:
    """The worker runs no event loop: its event announcements get one of their own."""
    from stockyard.events.announcements import use_own_loop

    use_own_loop()
