"""Celery queues by kind of work (``CELERY_TASK_QUEUES`` and ``CELERY_TASK_ROUTES`` in
config/settings/base.py; docs/scaling.md): each kind waits only behind its own kind, and
a worker started without ``-Q`` consumes them all."""

from config.celery import app

QUEUES = ["celery", "events", "webhooks", "reports", "imports"]


def routes() -> dict[str, str]:
    """Every task of Stockyard's and the queue it is sent to."""
    app.loader.import_default_modules()  # the tasks modules, as a worker imports them
    return {
        name: app.amqp.router.route({}, name)["queue"].name
        for name in app.tasks
        if name.startswith("stockyard.")
    }


def test_each_long_or_latency_bound_kind_of_work_has_a_queue_of_its_own():
    by_queue: dict[str, set[str]] = {}
    for task, queue in routes().items():
        by_queue.setdefault(queue, set()).add(task)

    assert by_queue["events"] == {"stockyard.events.tasks.sequence_events"}
    assert by_queue["webhooks"] == {"stockyard.events.tasks.deliver_webhook"}
    assert by_queue["reports"] == {
        "stockyard.reporting.tasks.build_export",
        "stockyard.reporting.tasks.run_report_schedule",
    }
    assert by_queue["imports"] == {"stockyard.imports.tasks.run_import"}
    assert "stockyard.core.tasks.beat_heartbeat" in by_queue["celery"]  # the short rest


def test_a_worker_started_without_q_consumes_every_queue_a_task_is_sent_to():
    assert list(app.amqp.queues) == QUEUES
    assert set(routes().values()) == set(QUEUES)
