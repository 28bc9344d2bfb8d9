import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from stockyard.imports.models import Import


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_file(text: str, name: str = "rows.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list[object]], name: str = "rows.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def upload(django_capture_on_commit_callbacks) -> Callable[..., dict]:
    """POST a file as ``client`` and answer the import as ``GET .../{id}/`` shows it
    once the background task (run inline, after the commit) is done."""

    def post(client, kind: str, file, *, dry_run: bool = False) -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/imports/",
                {"file": file, "kind": kind, "dry_run": dry_run},
                format="multipart",
            )
        assert response.status_code == 202, response.content
        accepted = response.json()
        assert set(accepted) == {"id", "status"}
        assert response["Location"].endswith(f"/api/v1/imports/{accepted['id']}/")
        detail = client.get(f"/api/v1/imports/{accepted['id']}/")
        assert detail.status_code == 200
        return detail.json()

    return post


def errors_of(result: dict) -> set[tuple[int | None, str]]:
    return {(error["row"], error["field"]) for error in result["errors"]}


__all__ = ["Import", "csv_file", "errors_of", "xlsx_file"]
