from typing import Any

from django.apps import AppConfig
from django.db.models.signals import pre_migrate


class AuditConfig(AppConfig):
    name = "stockyard.audit"
    label = "audit"

    def ready(self) -> None:
        from stockyard.audit import context, selectors

        pre_migrate.connect(_create_event_id_sequence, sender=self)
        context.attribute_celery_tasks()
        selectors.tracked_event_models()  # refuses two tracked models of one snake-case name


def _create_event_id_sequence(using: str, **kwargs: Any) -> None:
    """Every event table numbers its rows from one sequence, created before any migration
    can make a table that uses it (see ``models.NextEventId``)."""
    from django.db import connections

    from stockyard.audit.models import EVENT_ID_SEQUENCE

    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {EVENT_ID_SEQUENCE}")
