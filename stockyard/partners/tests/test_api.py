import pytest

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core.testing import assert_problem
from stockyard.partners.models import Customer, Supplier
from stockyard.partners.tests.factories import CustomerFactory, SupplierFactory
from stockyard.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db

SUPPLIERS = "/api/v1/suppliers/"
CUSTOMERS = "/api/v1/customers/"

NEW_SUPPLIER = {
    "code": "SUP-ACME",
    "name": "Acme Industrial Supply",
    "email": "orders@acme.example",
    "phone": "+1 312 555 0101",
    "address": "400 W Lake St, Chicago",
    "tax_id": "36-4567890",
    "bank_account": "US12 3456 7890",
    "lead_time_days": 5,
}
NEW_CUSTOMER = {
    "code": "CUS-OAK",
    "name": "Blue Oak Builders",
    "email": "accounts@blueoak.example",
    "phone": "+1 503 555 0142",
    "billing_address": "12 Alder St, Portland",
    "shipping_address": "880 NW Front Ave, Portland",
    "tax_id": "93-1234567",
    "credit_limit": 25000,
}


def test_create_supplier_returns_the_api_shape(admin_client, settings):
    settings.DEFAULT_CURRENCY = "EUR"
    response = admin_client.post(SUPPLIERS, NEW_SUPPLIER)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {
        "id": body["id"],
        **NEW_SUPPLIER,
        "currency": "EUR",
        "is_active": True,
    }
    assert response["ETag"]


def test_create_customer_serializes_money_as_a_string(admin_client):
    response = admin_client.post(CUSTOMERS, NEW_CUSTOMER)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["credit_limit"] == "25000.00"
    assert body["currency"] == "USD"
    assert Customer.objects.get(pk=body["id"]).email == "accounts@blueoak.example"


def test_credit_limit_null_means_no_limit(admin_client):
    response = admin_client.post(CUSTOMERS, {**NEW_CUSTOMER, "credit_limit": None})
    assert response.json()["credit_limit"] is None
    assert Customer.objects.get().credit_limit is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"currency": "usd"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"code": ""}, "code"),
        ({"lead_time_days": -1}, "lead_time_days"),
        ({"phone": "1" * 51}, "phone"),
    ],
)
def test_invalid_supplier_fields_are_problem_json(admin_client, changes, field):
    body = assert_problem(
        admin_client.post(SUPPLIERS, {**NEW_SUPPLIER, **changes}), 400, "validation_error"
    )
    assert list(body["errors"]) == [field]
    assert not Supplier.objects.exists()


def test_negative_credit_limit_is_refused(admin_client):
    body = assert_problem(
        admin_client.post(CUSTOMERS, {**NEW_CUSTOMER, "credit_limit": "-1"}),
        400,
        "validation_error",
    )
    assert list(body["errors"]) == ["credit_limit"]


def test_duplicate_code_is_a_validation_error(admin_client):
    SupplierFactory(code="SUP-ACME")
    body = assert_problem(admin_client.post(SUPPLIERS, NEW_SUPPLIER), 400, "validation_error")
    assert list(body["errors"]) == ["code"]


def test_patch_customer(admin_client, emitted):
    customer = CustomerFactory()
    response = admin_client.patch(
        f"{CUSTOMERS}{customer.pk}/", {"phone": "+44 20 7946 0000", "is_active": False}
    )
    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    assert (customer.phone, customer.is_active) == ("+44 20 7946 0000", False)
    assert emitted("customer.updated")[0]["data"]["is_active"] is False


def test_put_replaces_the_supplier(admin_client):
    supplier = SupplierFactory()
    response = admin_client.put(f"{SUPPLIERS}{supplier.pk}/", {**NEW_SUPPLIER, "email": ""})
    assert response.status_code == 200, response.json()
    supplier.refresh_from_db()
    assert (supplier.code, supplier.email) == ("SUP-ACME", "")


def test_delete_unreferenced_customer(admin_client, emitted):
    customer = CustomerFactory()
    assert admin_client.delete(f"{CUSTOMERS}{customer.pk}/").status_code == 204
    assert not Customer.objects.exists()
    assert emitted("customer.deleted")


def test_delete_supplier_referenced_by_a_product_is_409(admin_client, emitted):
    product = ProductFactory()
    response = admin_client.delete(f"{SUPPLIERS}{product.supplier_id}/")
    body = assert_problem(response, 409, "conflict")
    assert "deactivate" in body["detail"]
    assert Supplier.objects.filter(pk=product.supplier_id).exists()
    assert not emitted("supplier.deleted")


def test_delete_customer_with_a_sales_order_is_409_and_deactivating_works(admin_client):
    customer = CustomerFactory()
    make_order((ProductFactory(), 2), customer=customer)
    url = f"{CUSTOMERS}{customer.pk}/"
    assert_problem(admin_client.delete(url), 409, "conflict")
    assert admin_client.patch(url, {"is_active": False}).json()["is_active"] is False


def test_search_by_code_and_name_and_filter_and_order(admin_client):
    SupplierFactory(code="SUP-B", name="Brightline Electrical")
    SupplierFactory(code="SUP-A", name="Acme Industrial")
    SupplierFactory(code="ZZZ", name="Zed Tools", is_active=False)

    def codes(query: str) -> list[str]:
        response = admin_client.get(f"{SUPPLIERS}?{query}")
        assert response.status_code == 200, response.json()
        return [row["code"] for row in response.json()["results"]]

    assert codes("search=bright") == ["SUP-B"]
    assert codes("search=sup-") == ["SUP-A", "SUP-B"]
    assert codes("is_active=false") == ["ZZZ"]
    assert codes("ordering=-code") == ["ZZZ", "SUP-B", "SUP-A"]
    assert codes("") == ["SUP-A", "SUP-B", "ZZZ"]  # by name


def test_search_does_not_look_into_encrypted_fields(admin_client):
    CustomerFactory(email="needle@customer.example")
    assert admin_client.get(f"{CUSTOMERS}?search=needle").json()["count"] == 0


@pytest.mark.parametrize("path", [f"{SUPPLIERS}abc/", f"{CUSTOMERS}999999/"])
def test_unknown_partner_is_404(admin_client, path):
    assert_problem(admin_client.patch(path, {"name": "x"}), 404, "not_found")


def test_stale_if_match_is_412(admin_client):
    customer = CustomerFactory()
    url = f"{CUSTOMERS}{customer.pk}/"
    etag = admin_client.get(url)["ETag"]
    assert admin_client.patch(url, {"name": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    assert_problem(
        admin_client.patch(url, {"name": "Second"}, HTTP_IF_MATCH=etag), 412, "precondition_failed"
    )
    customer.refresh_from_db()
    assert customer.name == "First"


@pytest.mark.parametrize("path", [SUPPLIERS, CUSTOMERS])
def test_every_role_reads_partners(client_for, path):
    SupplierFactory(), CustomerFactory()
    for role in Role:
        response = client_for(role).get(path)
        assert response.status_code == 200, role
        assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("path", "body", "allowed"),
    [
        (SUPPLIERS, NEW_SUPPLIER, {Role.ADMIN, Role.MANAGER, Role.PURCHASING}),
        # Without a credit limit, which only admins and managers set (test_least_privilege).
        (
            CUSTOMERS,
            {k: v for k, v in NEW_CUSTOMER.items() if k != "credit_limit"},
            {Role.ADMIN, Role.MANAGER, Role.SALES},
        ),
    ],
)
def test_who_may_write_partners(client_for, path, body, allowed):
    for index, role in enumerate(Role):
        response = client_for(role).post(path, {**body, "code": f"P-{index}"})
        if role in allowed:
            assert response.status_code == 201, (role, response.json())
        else:
            assert_problem(response, 403, "permission_denied")


def test_anonymous_is_401(api_client):
    assert_problem(api_client.get(SUPPLIERS), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("path", "factory"), [(SUPPLIERS, SupplierFactory), (CUSTOMERS, CustomerFactory)]
)
def test_lists_run_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, path, factory
):
    factory.create_batch(30)
    with django_assert_max_num_queries(5):
        response = admin_client.get(f"{path}?page_size=100")
    assert len(response.json()["results"]) == 30
