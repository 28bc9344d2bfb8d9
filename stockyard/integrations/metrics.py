"""Business and health gauges for ``GET /metrics``, read from the database (and the
Celery broker) when Prometheus scrapes, so every process reports the same numbers and
nothing is lost when a process restarts. Alert rules on them: deploy/prometheus/alerts.yml.

``stockyard_sales_orders_confirmed`` (orders ever confirmed), ``stockyard_stock_outs``,
``stockyard_outbox_unsequenced_events`` and ``stockyard_outbox_lag_seconds``,
``stockyard_webhook_deliveries{status}``, ``stockyard_celery_queue_length{queue}``,
``stockyard_exports{status}`` and ``stockyard_imports{status}``: docs/alerts.md.
"""

from collections.abc import Iterator
from typing import Any

import structlog
from amqp.exceptions import ChannelError
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, F, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from stockyard.events.models import Event, WebhookDelivery
from stockyard.imports.models import Import
from stockyard.inventory.models import StockLevel
from stockyard.reporting.models import Export
from stockyard.sales.models import SalesOrder

logger = structlog.get_logger("stockyard.integrations")


def _by_status(name: str, documentation: str, rows: object) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=["status"])
    for status, count in rows:  # type: ignore[attr-defined]
        family.add_metric([status], count)
    return family


def _counts_by_status(model: type) -> list[tuple[str, int]]:
    return list(model.objects.values_list("status").annotate(n=Count("id")).order_by("status"))  # type: ignore[attr-defined]


def _queue_length(channel: Any, queue: str) -> int:
    """Messages waiting in ``queue``; a queue the broker does not know yet holds none
    (Redis forgets an emptied queue)."""
    try:
        return int(channel.queue_declare(queue, passive=True).message_count)
    except ChannelError:
        return 0


class BusinessCollector(Collector):
    """Collects the gauges above at scrape time (a handful of indexed queries)."""

    NAMES = (
        "stockyard_sales_orders_confirmed",
        "stockyard_stock_outs",
        "stockyard_outbox_unsequenced_events",
        "stockyard_outbox_lag_seconds",
        "stockyard_webhook_deliveries",
        "stockyard_exports",
        "stockyard_imports",
        "stockyard_celery_queue_length",
    )

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The names, without reading anything (the registry asks when registering)."""
        for name in self.NAMES:
            yield GaugeMetricFamily(name, "")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            yield from self._database()
        except DatabaseError:
            logger.warning("business_metrics_unavailable", exc_info=True)
        yield from self._queues()

    def _database(self) -> Iterator[GaugeMetricFamily]:
        confirmed = SalesOrder.objects.filter(confirmed_at__isnull=False).count()
        yield GaugeMetricFamily(
            "stockyard_sales_orders_confirmed", "Sales orders ever confirmed.", value=confirmed
        )
        stock_outs = StockLevel.objects.filter(
            product__is_active=True, on_hand__lte=F("reserved")
        ).count()
        yield GaugeMetricFamily(
            "stockyard_stock_outs",
            "Stock levels of active products with nothing available.",
            value=stock_outs,
        )
        outbox = Event.objects.filter(position__isnull=True).aggregate(
            n=Count("id"), oldest=Min("occurred_at")
        )
        lag = (timezone.now() - outbox["oldest"]).total_seconds() if outbox["oldest"] else 0.0
        yield GaugeMetricFamily(
            "stockyard_outbox_unsequenced_events",
            "Events committed but not yet numbered into the feed.",
            value=outbox["n"],
        )
        yield GaugeMetricFamily(
            "stockyard_outbox_lag_seconds",
            "Age of the oldest event not yet in the feed (0 when none).",
            value=lag,
        )
        yield _by_status(
            "stockyard_webhook_deliveries",
            "Webhook deliveries by status (failed: given up).",
            _counts_by_status(WebhookDelivery),
        )
        yield _by_status(
            "stockyard_exports", "Report exports by status.", _counts_by_status(Export)
        )
        yield _by_status("stockyard_imports", "Imports by status.", _counts_by_status(Import))

    def _queues(self) -> Iterator[GaugeMetricFamily]:
        if settings.CELERY_TASK_ALWAYS_EAGER:  # tasks run inline: there is no queue
            return
        from config.celery import app

        family = GaugeMetricFamily(
            "stockyard_celery_queue_length", "Tasks waiting in the broker.", labels=["queue"]
        )
        try:
            with app.connection_for_read() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
                channel: Any = connection.default_channel  # a kombu virtual channel
                for queue in app.amqp.queues:  # every queue a worker consumes by default
                    family.add_metric([queue], _queue_length(channel, queue))
        except Exception:  # the broker is down: /readyz says so; the rest still scrapes
            logger.warning("celery_queue_length_unavailable", exc_info=True)
            return
        yield family
