"""Exports: queued, built in the background, downloaded only by their owner."""

import csv
import io

import pytest

from stockyard.accounts.roles import Role
from stockyard.core.testing import assert_problem
from stockyard.reporting import services, tasks
from stockyard.reporting.enums import ExportStatus
from stockyard.reporting.models import Export
from stockyard.reporting.tests.factories import line, sold, utc

pytestmark = pytest.mark.django_db

EXPORTS = "/api/v1/exports/"
OCTOBER_SALES = {
    "report": "sales",
    "params": {"group_by": "product", "date_from": "2026-10-01", "date_to": "2026-10-31"},
    "format": "csv",
}


@pytest.fixture
def clerk(client_for):
    return client_for(Role.SALES)


@pytest.fixture
def october(warehouse, widget, alice):
    sold(utc(2026, 10, 5, 9), line(widget, 4, "10.00"), customer=alice, warehouse=warehouse)


def _export(client, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORTS, body)
    assert response.status_code == 202, response.content
    return response


def test_an_export_is_accepted_then_built_and_downloaded_by_its_owner(
    clerk, october, widget, django_capture_on_commit_callbacks
):
    response = _export(clerk, OCTOBER_SALES, django_capture_on_commit_callbacks)
    accepted = response.json()
    assert set(accepted) == {"id", "status"}
    assert accepted["status"] in {"pending", "done"}  # tasks run inline in tests
    assert response["Location"].endswith(f"{EXPORTS}{accepted['id']}/")

    shown = clerk.get(f"{EXPORTS}{accepted['id']}/").json()
    assert shown["status"] == "done"
    assert shown["file_name"] == "sales-2026-10-01-to-2026-10-31.csv"
    assert shown["params"] == {
        "date_from": "2026-10-01",
        "date_to": "2026-10-31",
        "tz": "UTC",
        "currency": None,
        "group_by": "product",
        "warehouse": None,
        "customer": None,
        "product": None,
    }
    assert shown["download_url"] == f"http://testserver{EXPORTS}{accepted['id']}/download/"

    download = clerk.get(shown["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == (
        'attachment; filename="sales-2026-10-01-to-2026-10-31.csv"'
    )
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(content))) == [
        ["key", "product", "sku", "name", "orders", "quantity", "revenue", "average_order_value"],
        [str(widget.pk), str(widget.pk), "WIDGET", "Widget", "1", "4.000", "40.00", "40.00"],
    ]


def test_the_default_period_is_fixed_when_the_export_is_asked_for(
    client_for, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(utc(2026, 11, 22, 8))
    clerk = client_for(Role.SALES)
    response = _export(
        clerk, {"report": "fulfillment", "format": "xlsx"}, django_capture_on_commit_callbacks
    )
    export = Export.objects.get(pk=response.json()["id"])
    assert (export.params["date_from"], export.params["date_to"]) == ("2026-10-24", "2026-11-22")
    assert export.status == ExportStatus.DONE
    assert export.file_name.endswith(".xlsx")


def test_someone_elses_export_is_404_but_an_administrator_sees_it(
    clerk, client_for, admin_client, october, django_capture_on_commit_callbacks
):
    export_id = _export(clerk, OCTOBER_SALES, django_capture_on_commit_callbacks).json()["id"]
    other = client_for(Role.MANAGER)
    for path in (f"{EXPORTS}{export_id}/", f"{EXPORTS}{export_id}/download/"):
        assert_problem(other.get(path), 404, "not_found")
    assert other.get(EXPORTS).json()["count"] == 0
    assert clerk.get(EXPORTS).json()["count"] == 1
    assert admin_client.get(f"{EXPORTS}{export_id}/download/").status_code == 200


def test_exports_need_the_export_capability(client_for, api_client):
    assert_problem(client_for(Role.VIEWER).post(EXPORTS, OCTOBER_SALES), 403, "permission_denied")
    assert_problem(api_client.get(EXPORTS), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**OCTOBER_SALES, "report": "profit"}, "report"),
        ({**OCTOBER_SALES, "format": "pdf"}, "format"),
        ({**OCTOBER_SALES, "params": {"group_by": "hour"}}, "params.group_by"),
        (
            {**OCTOBER_SALES, "params": {"date_from": "2026-11-02", "date_to": "2026-11-01"}},
            "params.date_from",
        ),
        ({**OCTOBER_SALES, "params": {"warehous": 1}}, "params.warehous"),
        ({**OCTOBER_SALES, "params": ["group_by"]}, "params"),
        (
            {"report": "low-stock", "format": "csv", "params": {"date_to": "2026-11-01"}},
            "params.date_to",
        ),
    ],
)
def test_invalid_exports_are_refused_and_nothing_is_queued(clerk, body, field):
    problem = assert_problem(clerk.post(EXPORTS, body), 400, "validation_error")
    assert list(problem["errors"]) == [field]
    assert not Export.objects.exists()


def test_a_pending_export_cannot_be_downloaded_yet(clerk):
    export = services.export_create(
        user=clerk.user, report="low-stock", params={}, file_format="csv"
    )  # queued on commit, which this test's transaction never reaches
    assert clerk.get(f"{EXPORTS}{export.pk}/").json()["download_url"] is None
    assert_problem(clerk.get(f"{EXPORTS}{export.pk}/download/"), 409, "conflict")


def test_building_twice_builds_once(clerk, october):
    export = services.export_create(
        user=clerk.user, report="sales", params=OCTOBER_SALES["params"], file_format="csv"
    )
    assert tasks.build_export(export.pk) == "done"
    export.refresh_from_db()
    first_file, finished_at = export.file.name, export.finished_at
    assert tasks.build_export(export.pk) is None
    export.refresh_from_db()
    assert (export.file.name, export.finished_at) == (first_file, finished_at)


def test_a_report_that_fails_marks_the_export_failed(clerk, october):
    export = services.export_create(
        user=clerk.user, report="sales", params=OCTOBER_SALES["params"], file_format="csv"
    )
    Export.objects.filter(pk=export.pk).update(params={"date_from": "not a date"})
    assert tasks.build_export(export.pk) == "failed"
    shown = clerk.get(f"{EXPORTS}{export.pk}/").json()
    assert shown["status"] == "failed"
    assert "date_from" in shown["error"]
    assert shown["download_url"] is None


def test_an_export_whose_worker_died_is_built_again(clerk, october, time_machine):
    time_machine.move_to(utc(2026, 11, 22, 8))
    export = services.export_create(
        user=clerk.user, report="sales", params=OCTOBER_SALES["params"], file_format="csv"
    )
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=utc(2026, 11, 22, 8)
    )
    assert tasks.build_export(export.pk) is None  # still running, within the time limit
    time_machine.move_to(utc(2026, 11, 22, 9))
    assert tasks.build_export(export.pk) == "done"


def test_the_reaper_rebuilds_an_export_left_running_by_a_killed_worker(
    clerk, october, time_machine
):
    time_machine.move_to(utc(2026, 11, 22, 8))
    export = services.export_create(
        user=clerk.user, report="sales", params=OCTOBER_SALES["params"], file_format="csv"
    )
    # The worker took it and was killed mid-build: the row says running, nobody builds it.
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=utc(2026, 11, 22, 8), attempts=1
    )
    assert tasks.reap_stale_exports() == []  # within the task time limit: maybe alive
    time_machine.move_to(utc(2026, 11, 22, 8, 6))
    assert tasks.reap_stale_exports() == [export.pk]  # queued again (built inline here)
    export.refresh_from_db()
    assert (export.status, export.attempts) == (ExportStatus.DONE, 2)


def test_the_reaper_gives_up_after_three_attempts(clerk, time_machine):
    time_machine.move_to(utc(2026, 11, 22, 8))
    export = services.export_create(
        user=clerk.user, report="low-stock", params={}, file_format="csv"
    )
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=utc(2026, 11, 22, 8), attempts=3
    )
    time_machine.move_to(utc(2026, 11, 22, 9))
    assert tasks.reap_stale_exports() == []
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "given up" in export.error


def test_the_reaper_queues_an_export_whose_message_was_lost(clerk, time_machine, monkeypatch):
    time_machine.move_to(utc(2026, 11, 22, 8))
    monkeypatch.setattr(services, "_queue_export", lambda export_id: None)  # broker down
    export = services.export_create(
        user=clerk.user, report="low-stock", params={}, file_format="csv"
    )
    monkeypatch.undo()
    time_machine.move_to(utc(2026, 11, 22, 8, 10))
    assert tasks.reap_stale_exports() == [export.pk]
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE


def test_the_list_has_a_fixed_number_of_queries(clerk, django_assert_max_num_queries):
    for _ in range(5):
        services.export_create(user=clerk.user, report="low-stock", params={}, file_format="csv")
    with django_assert_max_num_queries(4):  # user, roles, count, page
        body = clerk.get(EXPORTS).json()
    assert body["count"] == 5
    assert [export["status"] for export in body["results"]] == ["pending"] * 5
