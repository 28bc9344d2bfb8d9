from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.tests.factories import put_stock
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.tasks import publish_reorder_alerts
from stockyard.purchasing.tests.factories import make_purchase_order

pytestmark = pytest.mark.django_db


def test_the_daily_task_alerts_each_suggestion_once(warehouse, emitted):
    low, covered = (ProductFactory(reorder_point=Decimal(5)) for _ in range(2))
    put_stock(low, warehouse, 1)
    put_stock(covered, warehouse, 1)
    make_purchase_order([(covered, 10)], warehouse=warehouse, status=Status.SUBMITTED)

    assert publish_reorder_alerts.delay().get() == 1
    assert publish_reorder_alerts.delay().get() == 0  # the same day: nothing new
    [alert] = emitted("stock.below_reorder_point")
    assert (alert["data"]["product"], alert["data"]["warehouse"]) == (low.pk, warehouse.pk)


def test_the_task_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "stockyard.purchasing.tasks.publish_reorder_alerts" in tasks
