"""Reports whose rows grow with the data: JSON answers are bounded, files are streamed."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from stockyard.core.testing import assert_problem

pytestmark = pytest.mark.django_db

VALUATION = "/api/v1/reports/inventory-valuation/"


def test_json_beyond_the_row_limit_is_refused_pointing_at_files_and_exports(
    manager, widget, settings
):
    settings.REPORT_MAX_ROWS = 1  # widget is stocked in two warehouses: two rows

    response = manager.get(VALUATION)

    assert_problem(response, 400, "report_too_large")
    assert "/api/v1/exports/" in response.json()["detail"]
    assert "?format=csv" in response.json()["detail"]


@pytest.mark.parametrize("path", [VALUATION, "/api/v1/reports/stock-movements/"])
def test_a_refusal_reads_no_row(manager, widget, settings, path):
    """The stock reports count their rows with their totals: beyond the limit they are
    refused before a row is read (at 50,000 levels, 10,001 rows were built, then
    thrown away)."""
    with CaptureQueriesContext(connection) as answered:
        settings.REPORT_MAX_ROWS = 2
        assert manager.get(path).status_code == 200
    with CaptureQueriesContext(connection) as refused:
        settings.REPORT_MAX_ROWS = 1
        assert_problem(manager.get(path), 400, "report_too_large")

    def cursors(context: CaptureQueriesContext) -> list[str]:  # the rows' server-side cursor
        return [q["sql"] for q in context.captured_queries if q["sql"].startswith("DECLARE")]

    assert len(cursors(answered)) == 1
    assert cursors(refused) == []


def test_json_up_to_the_row_limit_is_answered(manager, widget, settings):
    settings.REPORT_MAX_ROWS = 2

    assert len(manager.get(VALUATION).json()["rows"]) == 2


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_files_are_streamed_whatever_the_row_limit(manager, widget, settings, file_format):
    settings.REPORT_MAX_ROWS = 1

    response = manager.get(VALUATION, {"format": file_format})

    assert response.status_code == 200
    assert response.streaming  # sent as it is made, never whole in memory
    assert response["Content-Disposition"].startswith("attachment; filename=")
    content = response.getvalue()
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(content.decode())))
    else:
        rows = list(load_workbook(io.BytesIO(content)).active.values)
    assert len(rows) == 1 + 2  # the header, then both levels


def test_a_csv_is_sent_in_pieces(manager, widget, monkeypatch):
    monkeypatch.setattr("stockyard.reporting.files.CSV_ROWS_PER_CHUNK", 1)

    response = manager.get(VALUATION, {"format": "csv"})

    chunks = list(response.streaming_content)
    assert len(chunks) >= 3  # header and first row, second row, the rest
    assert b"".join(chunks).count(b"WIDGET") == 2
