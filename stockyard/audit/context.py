"""Who a write is attributed to: the context every audit row carries.

A request's writes carry ``user`` and ``request_id`` (``middleware.py``), a management
command's ``source = "command:<name>"`` (``manage.py``), a Celery task's
``source = "task:<name>"`` (the signals below). The context travels to PostgreSQL with
each statement (django-pghistory prefixes it as ``set_config`` calls local to the
transaction), so the triggers store it on each event row as it was at that statement.
"""

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import pghistory
from django.db import connection


@contextmanager
def audit_context(**metadata: Any) -> Iterator[None]:
    """Attribute the writes made inside to ``metadata`` (JSON values), on top of any
    context already open (a task run inline inside a request keeps the request's user
    and adds its ``source``); the enclosing context is restored on exit. A no-op where
    history is not tracked (SQLite).

    PostgreSQL keeps the last context sent until the transaction ends: open the context
    around whole transactions, as requests, commands and tasks do (services own their
    transactions; nothing holds one open across a request).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with pghistory.context() as current:
        enclosing = dict(current.metadata)
        current.metadata.update(metadata)
        try:
            yield
        finally:
            current.metadata.clear()
            current.metadata.update(enclosing)


def command_context(argv: Sequence[str]) -> ExitStack:
    """The context of ``manage.py <command> ...``, entered by ``manage.py`` itself so that
    every command, Django's and third parties' included, is attributed."""
    stack = ExitStack()
    if len(argv) > 1:
        stack.enter_context(audit_context(source=f"command:{argv[1]}"))
    return stack


_task_contexts: dict[str, ExitStack] = {}


def attribute_celery_tasks() -> None:
    """Open an audit context around each Celery task run, eager ones included."""
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_enter_task, weak=False)
    task_postrun.connect(_exit_task, weak=False)


def _enter_task(task_id: str, task: Any, **kwargs: Any) -> None:
    stack = ExitStack()
    stack.enter_context(audit_context(source=f"task:{task.name}", task_id=task_id))
    _task_contexts[task_id] = stack


def _exit_task(task_id: str, **kwargs: Any) -> None:
    stack = _task_contexts.pop(task_id, None)
    if stack is not None:
        stack.close()
