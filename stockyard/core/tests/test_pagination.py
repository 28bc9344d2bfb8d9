"""Page-number pagination: deep pages read the ordering's ids, not OFFSET over whole rows,
and a page near the end is read from the end; the pages are those of the plain list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stockyard.accounts.roles import Role
from stockyard.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db

WAREHOUSES = "/api/v1/warehouses/"


@pytest.fixture
def seven_warehouses(db):
    return [WarehouseFactory(code=f"W{n}") for n in range(7)]


@pytest.fixture
def every_page_deep(monkeypatch):
    """Treat every offset as deep, so a short list takes the deep-page path."""
    monkeypatch.setattr("stockyard.core.pagination.SHALLOW_ROWS", 0)


@pytest.mark.usefixtures("every_page_deep")
@pytest.mark.parametrize("ordering", ["code", "-code", "name"])
def test_every_page_holds_what_the_plain_order_puts_there(client_for, seven_warehouses, ordering):
    client = client_for(Role.VIEWER)
    whole = [w["code"] for w in client.get(WAREHOUSES, {"ordering": ordering}).json()["results"]]

    pages = [
        client.get(WAREHOUSES, {"ordering": ordering, "page_size": 2, "page": page}).json()
        for page in (1, 2, 3, 4)
    ]

    assert [w["code"] for page in pages for w in page["results"]] == whole
    assert {page["count"] for page in pages} == {7}
    assert pages[3]["next"] is None and pages[0]["previous"] is None


@pytest.mark.usefixtures("every_page_deep")
def test_a_deep_page_offsets_over_ids_only_and_the_last_is_read_from_the_end(
    client_for, seven_warehouses
):
    client = client_for(Role.VIEWER)

    with CaptureQueriesContext(connection) as middle:
        client.get(WAREHOUSES, {"page_size": 2, "page": 2})
    with CaptureQueriesContext(connection) as last:
        client.get(WAREHOUSES, {"page_size": 2, "page": 4})

    offsets = [q["sql"] for q in middle.captured_queries if "OFFSET" in q["sql"]]
    assert len(offsets) == 1
    assert offsets[0].startswith('SELECT "inventory_warehouse"."id" AS "pk" FROM')  # ids only
    (from_end,) = [
        q["sql"] for q in last.captured_queries if 'ORDER BY "inventory_warehouse"' in q["sql"]
    ]
    assert "OFFSET" not in from_end  # the last page is the first from the end
    assert 'ORDER BY "inventory_warehouse"."code" DESC' in from_end
