"""Tax ids and bank accounts only for the departments that need them; credit limits set
by admins and managers only."""

from decimal import Decimal

import pytest

from stockyard.accounts.roles import Role
from stockyard.core.testing import assert_problem
from stockyard.partners.models import Customer
from stockyard.partners.serializers import mask
from stockyard.partners.tests.factories import CustomerFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "unmasked"),
    [
        (Role.ADMIN, True),
        (Role.MANAGER, True),
        (Role.PURCHASING, True),
        (Role.SALES, False),
        (Role.WAREHOUSE, False),
        (Role.VIEWER, False),
    ],
)
def test_supplier_tax_ids_and_bank_accounts_by_role(client_for, role, unmasked):
    supplier = SupplierFactory(tax_id="36-4567890", bank_account="DE89370400440532013000")
    client = client_for(role)
    detail = client.get(f"/api/v1/suppliers/{supplier.pk}/").json()
    listed = client.get("/api/v1/suppliers/").json()["results"][0]
    for body in (detail, listed):
        if unmasked:
            assert (body["tax_id"], body["bank_account"]) == (
                "36-4567890",
                "DE89370400440532013000",
            )
        else:
            assert (body["tax_id"], body["bank_account"]) == ("••••7890", "••••3000")


@pytest.mark.parametrize(
    ("role", "unmasked"),
    [(Role.MANAGER, True), (Role.SALES, True), (Role.PURCHASING, False), (Role.VIEWER, False)],
)
def test_customer_tax_ids_by_role(client_for, role, unmasked):
    customer = CustomerFactory(tax_id="93-1234567")
    body = client_for(role).get(f"/api/v1/customers/{customer.pk}/").json()
    assert body["tax_id"] == ("93-1234567" if unmasked else "••••4567")


def test_masking_shows_no_digit_of_a_short_value():
    assert mask("") == ""
    assert mask("12345678") == "••••"
    assert mask("123456789") == "••••6789"


def test_sales_cannot_raise_a_credit_limit(client_for):
    customer = CustomerFactory(credit_limit=Decimal("1000.00"))
    sales = client_for(Role.SALES)
    response = sales.patch(f"/api/v1/customers/{customer.pk}/", {"credit_limit": "999999.00"})
    assert_problem(response, 403, "permission_denied")
    response = sales.patch(f"/api/v1/customers/{customer.pk}/", {"credit_limit": None})
    assert_problem(response, 403, "permission_denied")
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("1000.00")
    # Other fields, and the limit sent back unchanged (a full PUT-like body), still work.
    same = sales.patch(
        f"/api/v1/customers/{customer.pk}/", {"name": "Renamed", "credit_limit": "1000.00"}
    )
    assert same.status_code == 200


def test_sales_creates_customers_without_setting_a_credit_limit(client_for):
    sales = client_for(Role.SALES)
    body = {"code": "C1", "name": "One"}
    assert sales.post("/api/v1/customers/", body).status_code == 201
    refused = sales.post("/api/v1/customers/", {**body, "code": "C2", "credit_limit": "5"})
    assert_problem(refused, 403, "permission_denied")
    assert not Customer.objects.filter(code="C2").exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER])
def test_admins_and_managers_change_credit_limits(client_for, role):
    customer = CustomerFactory(credit_limit=Decimal("1000.00"))
    response = client_for(role).patch(
        f"/api/v1/customers/{customer.pk}/", {"credit_limit": "5000.00"}
    )
    assert response.status_code == 200
    assert response.json()["credit_limit"] == "5000.00"
