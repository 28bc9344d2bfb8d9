"""The business and health gauges on /metrics, read from the database at scrape time."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from redis import Redis

from config.celery import app
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.events.models import Event
from stockyard.integrations import metrics
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.reporting.models import Export
from stockyard.sales import services as sales
from stockyard.sales.services import OrderLineInput

pytestmark = pytest.mark.django_db
QUEUE_GAUGE = 'stockyard_celery_queue_length{{queue="{}"}}'


def gauge(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


def test_business_gauges_follow_the_database(client, make_user):
    warehouse = WarehouseFactory()
    product = ProductFactory(price=Decimal("5.00"))
    put_stock(product, warehouse, 2)
    order = sales.sales_order_create(
        customer=CustomerFactory(),
        warehouse=warehouse,
        lines=[OrderLineInput(product=product, quantity=Decimal(2))],
        user=None,
    )
    sales.sales_order_confirm(order=order, user=None)  # reserves all: a stock-out
    Event.objects.create(
        type="test.lagging", occurred_at=timezone.now() - timedelta(minutes=3), data={}
    )
    Export.objects.create(owner=make_user(), report="sales", format="csv", status="failed")

    text = client.get("/metrics").content.decode()

    assert gauge(text, "stockyard_sales_orders_confirmed") == 1
    assert gauge(text, "stockyard_stock_outs") == 1
    assert gauge(text, "stockyard_outbox_unsequenced_events") >= 1
    assert gauge(text, "stockyard_outbox_lag_seconds") >= 180
    assert gauge(text, 'stockyard_exports{status="failed"}') == 1


def test_no_queue_gauge_when_tasks_run_inline(client):
    assert "stockyard_celery_queue_length{" not in client.get("/metrics").content.decode()


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL=redis://...)")
def test_the_queue_gauge_reads_a_queue_redis_has_not_seen_as_empty(client, settings, monkeypatch):
    """Redis forgets a queue once it is empty (the list's key goes): the gauge must say
    0 for it, not vanish from /metrics (so ``absent()`` and the backlog alerts keep
    working), and count what is queued once something is."""
    queue = f"stockyard-test-{uuid.uuid4().hex}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(metrics, "CELERY_QUEUES", (queue,))
    redis = Redis.from_url(settings.REDIS_URL)
    try:
        assert gauge(client.get("/metrics").content.decode(), QUEUE_GAUGE.format(queue)) == 0
        app.send_task("stockyard.core.tasks.beat_heartbeat", queue=queue)
        assert gauge(client.get("/metrics").content.decode(), QUEUE_GAUGE.format(queue)) == 1
    finally:
        redis.delete(queue)
        for binding in redis.scan_iter("_kombu.binding.*"):
            for member in redis.smembers(binding):
                if queue.encode() in member:
                    redis.srem(binding, member)
