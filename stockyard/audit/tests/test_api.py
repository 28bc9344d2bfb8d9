"""``GET /api/v1/audit-log/``: who may read it, filters, pages, masking, query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from stockyard.accounts.roles import Role
from stockyard.core.testing import assert_problem
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.partners.models import Supplier
from stockyard.partners.tests.factories import SupplierFactory

URL = "/api/v1/audit-log/"

postgres_only = pytest.mark.postgres
pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client_for):
    return client_for(Role.MANAGER)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER])
def test_admins_and_managers_read_the_log(client_for, role):
    response = client_for(role).get(URL)
    assert response.status_code == 200
    assert set(response.json()) == {"next", "previous", "results"}


@pytest.mark.parametrize(
    "role", [Role.PURCHASING, Role.SALES, Role.WAREHOUSE, Role.VIEWER], ids=str
)
def test_other_roles_are_refused(client_for, role):
    assert_problem(client_for(role).get(URL), 403, "permission_denied")


def test_anonymous_is_refused(api_client):
    assert_problem(api_client.get(URL), 401, "not_authenticated")


@pytest.mark.parametrize(
    "query",
    [
        "object_type=spaceship",
        "object_id=abc",
        "actor=0",
        "date_from=yesterday",
        "page_size=501",
        "before=5&after=3",
    ],
)
def test_bad_filters_are_a_validation_problem(manager, query):
    assert_problem(manager.get(f"{URL}?{query}"), 400, "validation_error")


@postgres_only
def test_encrypted_fields_are_masked_in_the_log_and_stay_ciphertext_at_rest(client_for):
    purchasing = client_for(Role.PURCHASING)
    created = purchasing.post(
        "/api/v1/suppliers/",
        {
            "code": "ACME",
            "name": "Acme",
            "email": "sales@acme.example",
            "phone": "+1 555 0199",
            "tax_id": "TAX-99887766",
            "bank_account": "DE89370400440532013000",
        },
    )
    assert created.status_code == 201, created.content
    supplier_id = created.json()["id"]
    renamed = purchasing.patch(f"/api/v1/suppliers/{supplier_id}/", {"name": "Acme Corp"})
    assert renamed.status_code == 200, renamed.content
    rekeyed = purchasing.patch(f"/api/v1/suppliers/{supplier_id}/", {"bank_account": "GB1"})
    assert rekeyed.status_code == 200, rekeyed.content

    admin = client_for(Role.ADMIN)
    body = admin.get(f"{URL}?object_type=supplier&object_id={supplier_id}").json()
    rekey, rename, create = body["results"]
    assert create["changes"]["bank_account"] == [None, "••••3000"]
    assert create["changes"]["tax_id"] == [None, "••••7766"]
    assert create["changes"]["email"] == [None, "••••mple"]
    # Saving encrypts afresh, but a field whose plaintext did not change is no change:
    assert rename["changes"].keys() == {"name", "updated_at"}
    assert rekey["changes"]["bank_account"] == ["••••3000", "••••"]

    plaintexts = ["sales@acme.example", "+1 555 0199", "TAX-99887766", "DE89370400440532013000"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(e)::text FROM partners_supplierevent e")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert "fernet:" in stored
    assert not [text for text in plaintexts if text in stored]


@postgres_only
def test_filters_narrow_the_log(client_for, manager):
    other = SupplierFactory()
    WarehouseFactory()
    purchasing = client_for(Role.PURCHASING)
    mine = purchasing.post("/api/v1/suppliers/", {"code": "S1", "name": "One"}).json()["id"]

    def ids(query: str) -> list[tuple[str, int]]:
        response = manager.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return [(row["object_type"], row["object_id"]) for row in response.json()["results"]]

    assert set(ids("object_type=supplier")) == {("supplier", mine), ("supplier", other.pk)}
    assert ids(f"object_type=supplier&object_id={other.pk}") == [("supplier", other.pk)]
    assert ids(f"actor={purchasing.user.pk}") == [("supplier", mine)]
    today = timezone.localdate()
    assert ids(f"date_to={today - timedelta(days=1)}") == []
    assert len(ids(f"date_from={today}&date_to={today}&object_type=supplier")) == 2
    assert ids(f"date_from={today + timedelta(days=1)}") == []


@postgres_only
def test_pages_follow_ids_both_ways(manager):
    for _ in range(5):
        WarehouseFactory()
    newest = manager.get(f"{URL}?object_type=warehouse&page_size=2").json()
    assert newest["previous"] is None
    older = manager.get(newest["next"]).json()
    oldest = manager.get(older["next"]).json()
    assert oldest["next"] is None
    seen = [row["id"] for page in (newest, older, oldest) for row in page["results"]]
    assert len(seen) == 5
    assert seen == sorted(seen, reverse=True)
    back = manager.get(oldest["previous"]).json()
    assert [row["id"] for row in back["results"]] == seen[2:4]


@postgres_only
def test_a_page_takes_a_fixed_number_of_queries(manager, django_assert_max_num_queries):
    for index in range(30):
        supplier = SupplierFactory()
        Supplier.objects.filter(pk=supplier.pk).update(name=f"Renamed {index}")
        WarehouseFactory()
    # authentication (user, roles) + the page's ids + the page's events with their users
    # + the roles' names (the page shows the manager's role being given)
    with django_assert_max_num_queries(5):
        response = manager.get(f"{URL}?page_size=500")
    assert len(response.json()["results"]) == 30 * 3 + 2  # and the manager's user and role


def test_without_postgresql_the_log_is_empty(manager):
    """SQLite has no triggers: the API answers, with nothing to show."""
    if connection.vendor == "postgresql":
        pytest.skip("the trail is recorded on PostgreSQL")
    WarehouseFactory()
    assert manager.get(URL).json()["results"] == []
