"""Units of measure and exchange rates over HTTP."""

from datetime import date
from decimal import Decimal

import pytest

from stockyard.accounts.roles import Role
from stockyard.catalog.models import Unit
from stockyard.catalog.selectors import exchange_rate_on
from stockyard.catalog.tests.factories import ProductFactory, UnitFactory
from stockyard.core.testing import assert_problem

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/units/"
RATES = "/api/v1/exchange-rates/"


def test_the_standard_units_are_seeded(client_for):
    body = client_for(Role.VIEWER).get(UNITS, {"page_size": 100}).json()
    places = {unit["code"]: unit["decimal_places"] for unit in body["results"]}
    assert {"pcs": 0, "g": 0, "kg": 3, "m": 3, "l": 3}.items() <= places.items()


def test_units_are_created_with_unique_codes_and_places_from_0_to_3(admin_client):
    created = admin_client.post(UNITS, {"code": "crate", "name": "crate", "decimal_places": 0})
    assert created.status_code == 201, created.json()
    assert set(created.json()) == {"id", "code", "name", "decimal_places"}
    assert_problem(
        admin_client.post(UNITS, {"code": "crate", "name": "again", "decimal_places": 0}),
        400,
        "validation_error",
    )
    too_fine = admin_client.post(UNITS, {"code": "mg", "name": "mg", "decimal_places": 4})
    assert_problem(too_fine, 400, "validation_error")
    assert "decimal_places" in too_fine.json()["errors"]


def test_a_products_unit_is_a_unit_code(admin_client):
    UnitFactory(code="kg", decimal_places=3)
    response = admin_client.post(
        "/api/v1/products/", {"sku": "RICE-5", "name": "Rice", "unit": "kg"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["unit"] == "kg"
    unknown = admin_client.post(
        "/api/v1/products/", {"sku": "RICE-6", "name": "Rice", "unit": "sack"}, format="json"
    )
    assert_problem(unknown, 400, "validation_error")
    assert "unit" in unknown.json()["errors"]


def test_a_unit_in_use_cannot_be_deleted(admin_client):
    unit = UnitFactory(code="box", decimal_places=0)
    ProductFactory(unit=unit)
    assert_problem(admin_client.delete(f"{UNITS}{unit.pk}/"), 409, "conflict")
    assert Unit.objects.filter(code="box").exists()


def test_exchange_rates_are_dated_and_the_latest_valid_one_applies(admin_client):
    for valid_from, rate in (("2026-01-01", "160"), ("2026-06-01", "170")):
        response = admin_client.post(
            RATES, {"base": "EUR", "quote": "JPY", "rate": rate, "valid_from": valid_from}
        )
        assert response.status_code == 201, response.json()
    assert set(response.json()) == {"id", "base", "quote", "rate", "valid_from"}
    assert exchange_rate_on(base="EUR", quote="JPY", on=date(2026, 5, 31)) == Decimal("160")
    assert exchange_rate_on(base="EUR", quote="JPY", on=date(2026, 6, 1)) == Decimal("170")
    assert exchange_rate_on(base="EUR", quote="JPY", on=date(2025, 12, 31)) is None
    # The reverse pair is the inverse.
    assert exchange_rate_on(base="JPY", quote="EUR", on=date(2026, 6, 1)) == Decimal("0.0058823529")
    same_day = admin_client.post(
        RATES, {"base": "EUR", "quote": "JPY", "rate": "1", "valid_from": "2026-06-01"}
    )
    assert_problem(same_day, 400, "validation_error")


def test_a_rate_needs_two_currencies_and_a_positive_rate(admin_client):
    assert_problem(
        admin_client.post(
            RATES, {"base": "EUR", "quote": "EUR", "rate": "1", "valid_from": "2026-01-01"}
        ),
        400,
        "validation_error",
    )
    assert_problem(
        admin_client.post(
            RATES, {"base": "EUR", "quote": "USD", "rate": "0", "valid_from": "2026-01-01"}
        ),
        400,
        "validation_error",
    )


@pytest.mark.postgres  # the trail is written by PostgreSQL triggers
def test_changes_to_units_and_rates_are_in_the_audit_trail(admin_client):
    unit = admin_client.post(UNITS, {"code": "crate", "name": "crate", "decimal_places": 0})
    admin_client.patch(f"{UNITS}{unit.json()['id']}/", {"name": "Crate"}, format="json")
    rate = admin_client.post(
        RATES, {"base": "EUR", "quote": "JPY", "rate": "162.5", "valid_from": "2026-11-01"}
    )
    assert rate.status_code == 201, rate.json()
    admin_client.patch(f"{RATES}{rate.json()['id']}/", {"rate": "163"}, format="json")
    admin_client.delete(f"{RATES}{rate.json()['id']}/")

    def trail(object_type: str, object_id: int) -> list[tuple[str, dict]]:
        response = admin_client.get(
            "/api/v1/audit-log/", {"object_type": object_type, "object_id": object_id}
        )
        assert response.status_code == 200, response.json()
        entries = response.json()["results"]
        assert {entry["actor"] for entry in entries} == {admin_client.user.pk}
        return [(entry["action"], entry["changes"]) for entry in reversed(entries)]

    (created, renamed) = trail("unit", unit.json()["id"])
    assert created[0] == "create" and created[1]["code"] == [None, "crate"]
    assert renamed[0] == "update" and renamed[1]["name"] == ["crate", "Crate"]
    actions = trail("exchange_rate", rate.json()["id"])
    assert [action for action, _ in actions] == ["create", "update", "delete"]
    assert actions[1][1]["rate"] == ["162.5000000000", "163.0000000000"]
