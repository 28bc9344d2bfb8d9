"""A report's rows are freed when its request ends, by reference counting alone.

Served as uvicorn serves it (the ASGI application, in process), with the garbage
collector off: anything the request left in a reference cycle would stay alive. Before
the fix, ten inventory valuations grew a worker by ~50 MB each (see docs/benchmarks.md).
"""

import gc
import weakref
from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest
from asgiref.sync import async_to_sync
from rest_framework_simplejwt.tokens import RefreshToken

from config.asgi import django_asgi_app
from stockyard.accounts.roles import Role
from stockyard.reporting.reports.base import Report
from stockyard.reporting.reports.params import ReportParams
from stockyard.reporting.tables import Table

pytestmark = pytest.mark.django_db


@pytest.fixture
def tables_made(monkeypatch: pytest.MonkeyPatch) -> list[weakref.ref[Table]]:
    """Weak references to every report table made."""
    made: list[weakref.ref[Table]] = []
    run = Report.run

    def recording(report: Report, params: ReportParams, *, row_limit: int | None) -> Table:
        table = run(report, params, row_limit=row_limit)
        made.append(weakref.ref(table))
        return table

    monkeypatch.setattr(Report, "run", recording)
    return made


@pytest.fixture
def no_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("test_connection_kept", "no_collection")
@pytest.mark.parametrize("file_format", ["json", "csv", "xlsx"])
def test_a_report_is_freed_when_its_request_ends(make_user, widget, tables_made, file_format):
    token = RefreshToken.for_user(make_user(Role.MANAGER)).access_token

    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=cast(Any, django_asgi_app))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(
                f"/api/v1/reports/inventory-valuation/?format={file_format}",
                headers={"Authorization": f"Bearer {token}"},
            )

    response = async_to_sync(fetch)()

    assert response.status_code == 200
    assert response.content
    assert len(tables_made) == 1
    assert tables_made[0]() is None, "the report's table outlived its request"
