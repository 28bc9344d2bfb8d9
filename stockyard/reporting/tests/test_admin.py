import pytest
from django.core import mail
from django.test import Client

from stockyard.accounts.roles import Role
from stockyard.reporting import services

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reporting/reportschedule/"


@pytest.fixture
def admin_site(make_user) -> Client:
    client = Client()
    client.force_login(make_user(Role.ADMIN))
    return client


def test_schedules_are_listed_read_only_and_can_be_sent_now(
    admin_site, django_capture_on_commit_callbacks
):
    schedule = services.report_schedule_create(
        user=None,
        name="Nightly low stock",
        report="low-stock",
        params={},
        format="csv",
        frequency="daily",
        hour=2,
        recipients=["ops@example.com"],
    )
    assert "Nightly low stock" in admin_site.get(CHANGELIST).content.decode()
    assert admin_site.get(f"{CHANGELIST}add/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_site.post(
            CHANGELIST, {"action": "send_now", "_selected_action": [schedule.pk]}, follow=True
        )
    assert any("Send now: 1 done" in str(m) for m in response.context["messages"])
    (message,) = mail.outbox
    assert message.subject == "[Stockyard] Nightly low stock"


def test_exports_are_listed(admin_site, make_user):
    export = services.export_create(
        user=make_user(Role.SALES), report="low-stock", params={}, file_format="csv"
    )
    page = admin_site.get("/admin/reporting/export/").content.decode()
    assert f"/admin/reporting/export/{export.pk}/change/" in page
