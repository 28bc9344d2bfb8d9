"""Every write path lands in the audit trail, attributed to who or what made it.

The trail is written by PostgreSQL triggers: these tests need PostgreSQL.
"""

from decimal import Decimal
from io import StringIO

import pytest
from asgiref.sync import async_to_sync
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection, connections
from django.test import AsyncClient
from rest_framework_simplejwt.tokens import RefreshToken

import manage
from stockyard.accounts.models import User
from stockyard.accounts.roles import Role
from stockyard.audit.context import audit_context
from stockyard.audit.selectors import audit_log_page
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import CustomerFactory, SupplierFactory
from stockyard.reporting import services as reporting_services
from stockyard.reporting.tasks import run_report_schedule
from stockyard.sales.tests.factories import make_order

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DAILY_SALES = {
    "name": "Daily sales",
    "report": "sales",
    "params": {},
    "format": "csv",
    "frequency": "daily",
    "hour": 7,
    "recipients": ["ops@example.com"],
}


def entries(object_type: str, object_id: int | None = None):
    """The trail of one kind of object (or one object), oldest first."""
    page = audit_log_page(object_type=object_type, object_id=object_id, size=500)
    return list(reversed(page.entries))


@pytest.fixture
def stocked():
    product, warehouse = ProductFactory(price=Decimal("10.00")), WarehouseFactory()
    put_stock(product, warehouse, 10)
    return product, warehouse


def test_api_writes_carry_the_user_and_the_request_id(client_for, stocked):
    product, warehouse = stocked
    sales = client_for(Role.SALES)
    customer = CustomerFactory()
    created = sales.post(
        "/api/v1/sales-orders/",
        {
            "customer": customer.pk,
            "warehouse": warehouse.pk,
            "lines": [{"product": product.pk, "quantity": "2"}],
        },
        headers={"X-Request-ID": "req-create-1"},
    )
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    confirmed = sales.post(
        f"/api/v1/sales-orders/{order_id}/confirm/", headers={"X-Request-ID": "req-confirm-1"}
    )
    assert confirmed.status_code == 200, confirmed.content

    trail = entries("sales_order", order_id)
    assert trail[0].action == "create"
    assert trail[-1].action == "confirm"
    assert trail[-1].changes["status"] == ["draft", "confirmed"]
    assert {(entry.actor, entry.request_id) for entry in trail} == {
        (sales.user.pk, "req-create-1"),
        (sales.user.pk, "req-confirm-1"),
    }
    assert trail[-1].actor_username == sales.user.username
    # The reservation the confirmation made, through the stock service's raw UPDATE:
    (level,) = StockLevel.objects.filter(product=product, warehouse=warehouse)
    reserved = entries("stock_level", level.pk)[-1]
    assert reserved.changes["reserved"] == ["0.000", "2.000"]
    assert (reserved.action, reserved.request_id) == ("update", "req-confirm-1")


def test_an_async_request_is_attributed_too(make_user):
    """Under uvicorn the middleware chain runs async: the context must still reach the
    thread that runs the view's queries."""
    user = make_user(Role.MANAGER)
    token = RefreshToken.for_user(user).access_token
    response = async_to_sync(AsyncClient().post)(
        "/api/v1/warehouses/",
        {"code": "ASYNC", "name": "Async"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "async-write-1"},
    )
    assert response.status_code == 201, response.content
    (created,) = entries("warehouse", response.json()["id"])
    assert (created.actor, created.request_id, created.action) == (
        user.pk,
        "async-write-1",
        "create",
    )


def test_stock_updates_in_raw_sql_are_captured(stocked):
    product, warehouse = stocked
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    put_stock(product, warehouse, 5, unit_cost="8.00")

    last = entries("stock_level", level.pk)[-1]
    assert last.changes["on_hand"] == ["10.000", "15.000"]
    assert last.changes["average_cost"] == ["5.0000", "6.0000"]


def test_admin_actions_carry_the_session_user(client, make_user, stocked):
    product, warehouse = stocked
    admin = make_user(Role.ADMIN)
    client.force_login(admin)
    order = make_order((product, 1), warehouse=warehouse)

    response = client.post(
        "/admin/sales/salesorder/",
        {"action": "confirm", "_selected_action": [order.pk]},
        headers={"X-Request-ID": "admin-confirm-1"},
    )

    assert response.status_code == 302
    last = entries("sales_order", order.pk)[-1]
    assert (last.action, last.actor, last.request_id, last.source) == (
        "confirm",
        admin.pk,
        "admin-confirm-1",
        None,
    )


def test_management_commands_are_attributed_to_themselves(monkeypatch):
    """Run as ``manage.py`` runs it; the command's closing of connections at exit would
    end the test's transaction, so it is left to the test."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-enough-password-1")
    manage.main(
        [
            "manage.py",
            "createsuperuser",
            "--noinput",
            "--username",
            "root-2",
            "--email",
            "root@example.com",
        ]
    )

    user = User.objects.get(username="root-2")
    (created,) = entries("user", user.pk)
    assert (created.action, created.actor, created.request_id, created.source) == (
        "create",
        None,
        None,
        "command:createsuperuser",
    )
    assert "password" not in created.changes  # hashes stay out of the trail


def test_celery_tasks_are_attributed_to_themselves(mailoutbox):
    schedule = reporting_services.report_schedule_create(user=None, **DAILY_SALES)
    result = run_report_schedule.delay(schedule.pk, "2000-01-01T00:00:00+00:00")

    assert result.get() is True
    ran = entries("report_schedule", schedule.pk)[-1]
    assert ran.source == "task:stockyard.reporting.tasks.run_report_schedule"
    assert (ran.action, ran.actor) == ("update", None)
    assert ran.changes["last_run_at"][0] is None


def test_a_task_run_inline_keeps_the_enclosing_user(make_user):
    """Eager tasks (laptops, tests) run inside the request that queued them: they keep
    its user and request id, add their source, and hand the request its context back."""
    user = make_user(Role.MANAGER)
    schedule = reporting_services.report_schedule_create(user=None, **DAILY_SALES)

    with audit_context(user=user.pk, request_id="req-run-1"):
        run_report_schedule.delay(schedule.pk, "2000-01-01T00:00:00+00:00")
        WarehouseFactory(code="AFTER")

    ran = entries("report_schedule", schedule.pk)[-1]
    assert (ran.actor, ran.request_id, ran.source) == (
        user.pk,
        "req-run-1",
        "task:stockyard.reporting.tasks.run_report_schedule",
    )
    after = entries("warehouse")[-1]
    assert (after.actor, after.request_id, after.source) == (user.pk, "req-run-1", None)


def test_event_tables_are_append_only():
    WarehouseFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inventory_warehouseevent")
        assert cursor.fetchone()[0] == 1
    with pytest.raises(Exception, match="append_only"), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_warehouseevent SET name = 'forged'")


def test_key_rotation_keeps_the_trail_readable(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    supplier = SupplierFactory(bank_account="DE89370400440532013000")

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys", stdout=StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new]

    created = entries("supplier", supplier.pk)[0]
    assert created.changes["bank_account"] == [None, "••••3000"]


def test_role_changes_carry_the_user_and_the_request_id(client_for, make_user):
    admin = client_for(Role.ADMIN)
    clerk = make_user(Role.SALES)

    changed = admin.patch(
        f"/api/v1/users/{clerk.pk}/",
        {"roles": ["viewer", "warehouse"]},
        format="json",
        headers={"X-Request-ID": "req-roles-1"},
    )

    assert changed.status_code == 200, changed.content
    trail = [entry for entry in entries("user_role") if entry.request_id == "req-roles-1"]
    assert sorted(
        (entry.action, entry.changes["group"][0] or entry.changes["group"][1]) for entry in trail
    ) == [("create", "viewer"), ("create", "warehouse"), ("delete", "sales")]
    assert {entry.actor for entry in trail} == {admin.user.pk}
    assert all(clerk.pk in entry.changes["user"] for entry in trail)
    taken = next(entry for entry in trail if entry.action == "delete")
    assert taken.changes == {"user": [clerk.pk, None], "group": ["sales", None]}


def test_role_changes_in_a_shell_are_recorded(make_user):
    """No context (a bare ``manage.py shell``, psql): the change is there, unattributed."""
    clerk = make_user(Role.SALES)
    clerk.groups.clear()
    (taken,) = [entry for entry in entries("user_role") if entry.action == "delete"]
    assert (taken.changes["user"], taken.changes["group"]) == ([clerk.pk, None], ["sales", None])
