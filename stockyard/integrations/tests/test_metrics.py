"""The business and health gauges on /metrics, read from the database at scrape time."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from redis import Redis

from config.celery import app
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.events.models import Event
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
def test_every_queue_has_a_gauge_that_counts_what_waits_in_it(client, settings):
    """One gauge per queue a worker consumes (``CELERY_TASK_QUEUES``). Redis forgets a
    queue once it is empty (the list's key goes): the gauge must say 0 for it, not vanish
    from /metrics (so ``absent()`` and the backlog alerts keep working), and count what is
    queued once something is: a report file waits in ``reports``, and only there."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    redis = Redis.from_url(settings.REDIS_URL)
    queues = ["celery", "events", "webhooks", "reports", "imports"]
    redis.delete(*queues)  # this test process's own Redis database
    try:
        text = client.get("/metrics").content.decode()
        assert [gauge(text, QUEUE_GAUGE.format(name)) for name in queues] == [0] * 5
        with app.connection_for_write() as connection:  # bound as a starting worker binds
            for queue in app.amqp.queues.values():
                queue(connection.default_channel).declare()
        app.send_task("stockyard.reporting.tasks.build_export", args=[0])
        text = client.get("/metrics").content.decode()
        assert [gauge(text, QUEUE_GAUGE.format(name)) for name in queues] == [0, 0, 0, 1, 0]
    finally:
        redis.delete(*queues)
