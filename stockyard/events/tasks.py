from celery import shared_task

from stockyard.events.services import events_sequence


@shared_task
def sequence_events() -> int:
    """Periodic sweep: sequence events whose after-commit sequencing did not run (the
    process died between commit and hook, or the hook failed)."""
    return events_sequence()
