"""Queue Celery tasks by name once the caller's transaction commits.

Services start background work through here, so a service never imports its app's
``tasks`` module (tasks call services, never the other way round). The task is found by
its dotted path when the transaction commits, and ``delay`` keeps
``CELERY_TASK_ALWAYS_EAGER`` working: on a laptop and in tests it runs at once.

The hook is robust: the caller's change has committed, so a broker that cannot be reached
or (run at once) a task that fails is logged and never turns that change into an error
for its caller. Work that must happen has its own sweep (refunds of received returns:
``payments.tasks.refund_missing_returns``).
"""

from django.db import transaction
from django.utils.module_loading import import_string


def enqueue(task_path: str, *args: object) -> None:
    """Run the task at ``task_path`` (``"stockyard.app.tasks.name"``) with ``args`` (JSON
    values) after the current transaction commits; at once when there is none. A failure
    to queue (or of the task, run at once) is logged, not raised."""
    transaction.on_commit(lambda: import_string(task_path).delay(*args), robust=True)
