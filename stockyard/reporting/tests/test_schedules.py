"""Report schedules: checked when saved, emailed once when due, or now on request."""

import csv
import io

import pytest
from django.core import mail

from stockyard.accounts.roles import Role
from stockyard.core.testing import assert_problem
from stockyard.reporting import services, tasks
from stockyard.reporting.models import ReportSchedule
from stockyard.reporting.tests.factories import line, sold, utc

pytestmark = pytest.mark.django_db

SCHEDULES = "/api/v1/report-schedules/"
DAILY_SALES = {
    "name": "Daily sales",
    "report": "sales",
    "params": {"group_by": "product"},
    "format": "csv",
    "frequency": "daily",
    "hour": 7,
    "recipients": ["ops@example.com", "owner@example.com"],
}


@pytest.fixture
def sunday_morning(time_machine):
    time_machine.move_to(utc(2026, 11, 22, 6), tick=False)
    return time_machine


@pytest.fixture
def manager(client_for, sunday_morning):
    return client_for(Role.MANAGER)


def _schedule(**fields) -> ReportSchedule:
    return services.report_schedule_create(user=None, **{**DAILY_SALES, **fields})


def _attachment_rows(message) -> tuple[str, list[list[str]]]:
    ((name, content, media_type),) = message.attachments
    assert media_type == "text/csv"
    return name, list(csv.reader(io.StringIO(content)))  # text attachments are decoded


def test_a_schedule_is_created_with_its_next_run(manager):
    response = manager.post(SCHEDULES, DAILY_SALES)
    assert response.status_code == 201, response.content
    body = response.json()
    assert {name: body[name] for name in DAILY_SALES} == DAILY_SALES
    assert body["is_active"] is True
    assert body["last_run_at"] is None
    assert body["next_run_at"] == "2026-11-22T07:00:00Z"
    assert response["ETag"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"report": "profit"}, "report"),
        ({"params": {"group_by": "supplier"}}, "params.group_by"),
        ({"params": {"date_from": "2026-11-02", "date_to": "2026-11-01"}}, "params.date_from"),
        ({"params": {"customer": 999999}}, "params.customer"),
        ({"params": {"colour": "red"}}, "params.colour"),
        ({"params": "group_by=day"}, "params"),
        ({"report": "inventory-valuation"}, "params.group_by"),  # not a valuation parameter
        ({"format": "pdf"}, "format"),
        ({"frequency": "hourly"}, "frequency"),
        ({"hour": 24}, "hour"),
        ({"recipients": []}, "recipients"),
        ({"recipients": ["not-an-email"]}, "recipients.0"),
    ],
)
def test_invalid_schedules_are_refused_when_saved(manager, changes, field):
    problem = assert_problem(
        manager.post(SCHEDULES, {**DAILY_SALES, **changes}), 400, "validation_error"
    )
    assert list(problem["errors"]) == [field]
    assert not ReportSchedule.objects.exists()


def test_changing_the_report_checks_the_params_again(manager):
    schedule = _schedule(params={"group_by": "customer"})
    response = manager.patch(f"{SCHEDULES}{schedule.pk}/", {"report": "purchases"})
    problem = assert_problem(response, 400, "validation_error")  # purchases have no customers
    assert list(problem["errors"]) == ["params.group_by"]
    response = manager.patch(
        f"{SCHEDULES}{schedule.pk}/", {"report": "purchases", "params": {"group_by": "supplier"}}
    )
    assert response.status_code == 200, response.content
    schedule.refresh_from_db()
    assert (schedule.report, schedule.params) == ("purchases", {"group_by": "supplier"})


def test_a_due_run_survives_a_rename_but_new_timing_moves_it(client_for, sunday_morning):
    schedule = _schedule()
    sunday_morning.move_to(utc(2026, 11, 22, 7, 2))  # due, not sent yet
    manager = client_for(Role.MANAGER)
    renamed = manager.patch(f"{SCHEDULES}{schedule.pk}/", {"name": "Sales"}).json()
    assert renamed["next_run_at"] == "2026-11-22T07:00:00Z"
    moved = manager.patch(f"{SCHEDULES}{schedule.pk}/", {"hour": 9}).json()
    assert moved["next_run_at"] == "2026-11-22T09:00:00Z"


def test_switching_a_schedule_off_and_on(manager):
    schedule = _schedule(frequency="weekly")
    off = manager.patch(f"{SCHEDULES}{schedule.pk}/", {"is_active": False}).json()
    assert off["next_run_at"] is None
    on = manager.patch(f"{SCHEDULES}{schedule.pk}/", {"is_active": True}).json()
    assert on["next_run_at"] == "2026-11-23T07:00:00Z"  # Monday


def test_only_schedule_managers_manage_schedules(client_for, api_client):
    assert_problem(client_for(Role.SALES).get(SCHEDULES), 403, "permission_denied")
    assert_problem(client_for(Role.SALES).post(SCHEDULES, DAILY_SALES), 403, "permission_denied")
    assert_problem(api_client.get(SCHEDULES), 401, "not_authenticated")


def test_a_due_schedule_emails_yesterdays_report_once(sunday_morning, warehouse, widget, alice):
    sold(utc(2026, 11, 21, 15), line(widget, 2, "10.00"), customer=alice, warehouse=warehouse)
    sold(utc(2026, 11, 20, 15), line(widget, 5, "10.00"), customer=alice, warehouse=warehouse)
    schedule = _schedule()
    assert tasks.send_due_report_schedules() == []  # 06:00: not due before 07:00

    sunday_morning.move_to(utc(2026, 11, 22, 7, 3))
    assert tasks.send_due_report_schedules() == [schedule.pk]
    assert tasks.send_due_report_schedules() == []
    (message,) = mail.outbox
    assert message.subject == "[Stockyard] Daily sales"
    assert message.to == ["ops@example.com", "owner@example.com"]
    assert "2026-11-21 to 2026-11-21" in message.body
    name, rows = _attachment_rows(message)
    assert name == "sales-2026-11-21-to-2026-11-21.csv"
    assert rows[1][2:6] == ["WIDGET", "Widget", "1", "2.000"]  # the 21st only
    schedule.refresh_from_db()
    assert schedule.last_run_at == utc(2026, 11, 22, 7, 3)
    assert schedule.next_run_at == utc(2026, 11, 23, 7)


def test_schedules_run_at_the_business_hour_and_cover_its_days(
    sunday_morning, settings, warehouse, widget, alice
):
    settings.TIME_ZONE = "Asia/Tokyo"  # now: 15:00 on Sunday 22 November there
    for when, quantity in [
        (utc(2026, 11, 21, 14, 30), 5),  # 23:30 on the 21st in Tokyo
        (utc(2026, 11, 21, 15), 2),  # 00:00 on the 22nd in Tokyo: counted
        (utc(2026, 11, 22, 14, 59), 3),  # 23:59 on the 22nd in Tokyo: counted
        (utc(2026, 11, 22, 15), 7),  # 00:00 on the 23rd in Tokyo
    ]:
        sold(when, line(widget, quantity, "10.00"), customer=alice, warehouse=warehouse)
    schedule = _schedule()
    assert schedule.next_run_at == utc(2026, 11, 22, 22)  # 07:00 on the 23rd in Tokyo

    sunday_morning.move_to(utc(2026, 11, 22, 21, 59))
    assert tasks.send_due_report_schedules() == []
    sunday_morning.move_to(utc(2026, 11, 22, 22, 3))
    assert tasks.send_due_report_schedules() == [schedule.pk]
    (message,) = mail.outbox
    assert "2026-11-22 to 2026-11-22" in message.body
    _, rows = _attachment_rows(message)
    assert rows[1][2:6] == ["WIDGET", "Widget", "2", "5.000"]  # Tokyo's 22nd only
    schedule.refresh_from_db()
    assert schedule.next_run_at == utc(2026, 11, 23, 22)


def test_a_schedules_tz_sets_its_hour_and_days(manager, settings, warehouse, widget, alice):
    settings.TIME_ZONE = "Asia/Tokyo"
    sold(utc(2026, 11, 21, 15), line(widget, 2, "10.00"), customer=alice, warehouse=warehouse)
    created = manager.post(
        SCHEDULES, {**DAILY_SALES, "params": {"group_by": "product", "tz": "UTC"}}, format="json"
    ).json()
    assert created["next_run_at"] == "2026-11-22T07:00:00Z"  # 07:00 UTC
    moved = manager.patch(
        f"{SCHEDULES}{created['id']}/",
        {"params": {"group_by": "product", "tz": "America/Los_Angeles"}},
        format="json",
    ).json()
    assert moved["next_run_at"] == "2026-11-22T15:00:00Z"  # 07:00 in Los Angeles (PST)
    back = manager.patch(
        f"{SCHEDULES}{created['id']}/", {"params": {"group_by": "product"}}, format="json"
    ).json()
    assert back["next_run_at"] == "2026-11-22T22:00:00Z"  # 07:00 in Tokyo

    schedule = ReportSchedule.objects.get(pk=created["id"])
    services.report_schedule_update(schedule=schedule, params={"group_by": "product", "tz": "UTC"})
    sunday_morning_at_7 = utc(2026, 11, 22, 7, 1)
    assert services.report_schedule_send_due(now=sunday_morning_at_7) == [schedule.pk]
    _, rows = _attachment_rows(mail.outbox[0])
    assert rows[1][2:6] == ["WIDGET", "Widget", "1", "2.000"]  # the 21st in UTC: 15:00


def test_fixed_dates_and_xlsx_and_inactive_schedules(sunday_morning):
    fixed = _schedule(
        name="October", params={"date_from": "2026-10-01", "date_to": "2026-10-31"}, format="xlsx"
    )
    _schedule(name="Off", is_active=False)
    sunday_morning.move_to(utc(2026, 11, 22, 8))
    assert tasks.send_due_report_schedules() == [fixed.pk]
    (message,) = mail.outbox
    ((name, content, media_type),) = message.attachments
    assert name == "sales-2026-10-01-to-2026-10-31.xlsx"
    assert media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert content[:2] == b"PK"  # a zip: the workbook


def test_a_failing_schedule_is_skipped_and_the_others_still_go(sunday_morning):
    broken, fine = _schedule(name="Broken"), _schedule(name="Fine")
    ReportSchedule.objects.filter(pk=broken.pk).update(params={"group_by": "hour"})
    sunday_morning.move_to(utc(2026, 11, 22, 7, 1))
    assert tasks.send_due_report_schedules() == [fine.pk]
    assert [message.subject for message in mail.outbox] == ["[Stockyard] Fine"]
    broken.refresh_from_db()
    assert broken.last_run_at is None
    assert broken.next_run_at == utc(2026, 11, 23, 7)  # tried again tomorrow, not every tick


def test_run_sends_the_report_now_in_the_background(manager, django_capture_on_commit_callbacks):
    schedule = _schedule(frequency="monthly")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"{SCHEDULES}{schedule.pk}/run/")
    assert response.status_code == 202, response.content
    assert response.json() == {
        "id": schedule.pk,
        "status": "queued",
        "requested_at": "2026-11-22T06:00:00Z",
    }
    (message,) = mail.outbox
    assert "2026-11-01 to 2026-11-21" in message.body  # the month so far
    schedule.refresh_from_db()
    assert schedule.last_run_at == utc(2026, 11, 22, 6)
    assert schedule.next_run_at == utc(2026, 12, 1, 7)  # the scheduled runs stay as they were


def test_a_run_task_delivered_twice_sends_once(sunday_morning):
    schedule = _schedule()
    requested_at = utc(2026, 11, 22, 6).isoformat()
    assert tasks.run_report_schedule(schedule.pk, requested_at) is True
    assert tasks.run_report_schedule(schedule.pk, requested_at) is False
    assert len(mail.outbox) == 1


def test_a_deleted_schedule_is_gone(manager):
    schedule = _schedule()
    assert manager.delete(f"{SCHEDULES}{schedule.pk}/").status_code == 204
    assert_problem(manager.post(f"{SCHEDULES}{schedule.pk}/run/"), 404, "not_found")


def test_the_list_has_a_fixed_number_of_queries(manager, django_assert_max_num_queries):
    for index in range(5):
        _schedule(name=f"Schedule {index}")
    with django_assert_max_num_queries(4):  # user, roles, count, page
        body = manager.get(SCHEDULES).json()
    assert body["count"] == 5
