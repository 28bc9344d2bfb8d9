from decimal import Decimal

import pytest

from stockyard.accounts.roles import Role
from stockyard.catalog.models import Category, Product
from stockyard.catalog.tests.factories import CategoryFactory, ProductFactory
from stockyard.core.testing import assert_problem
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import SupplierFactory
from stockyard.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
CATEGORIES = "/api/v1/categories/"


@pytest.fixture
def category():
    return CategoryFactory(name="Fasteners")


@pytest.fixture
def supplier():
    return SupplierFactory(name="Acme")


@pytest.fixture
def new_product(category, supplier) -> dict:
    return {
        "sku": "FAS-HXB-M8x40",
        "name": "Hex bolt M8 x 40 mm (box of 100)",
        "description": "Zinc plated, DIN 933.",
        "unit": "box",
        "barcode": "4006381333931",
        "category": category.pk,
        "supplier": supplier.pk,
        "price": 18.9,
        "cost": "9.4",
        "reorder_point": 20,
        "reorder_quantity": "100.5",
        "lead_time_days": 5,
    }


def test_create_product_returns_the_api_shape(admin_client, new_product, category, supplier):
    response = admin_client.post(PRODUCTS, new_product)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {
        **new_product,
        "id": body["id"],
        "category_name": "Fasteners",
        "supplier_name": "Acme",
        "price": "18.9000",
        "cost": "9.4000",
        "currency": "USD",
        "reorder_point": "20.000",
        "reorder_quantity": "100.500",
        "is_active": True,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")
    assert response["ETag"]
    product = Product.objects.get(pk=body["id"])
    assert (product.price, product.supplier) == (Decimal("18.90"), supplier)


def test_a_minimal_product_takes_the_defaults(admin_client, settings):
    settings.DEFAULT_CURRENCY = "GBP"
    response = admin_client.post(PRODUCTS, {"sku": "MIN-1", "name": "Minimal"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["currency"], body["price"], body["unit"]) == ("GBP", "0.0000", "pcs")
    assert (body["category"], body["category_name"], body["supplier_name"]) == (None, None, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sku": ""}, "sku"),
        ({"name": None}, "name"),
        ({"price": "-0.01"}, "price"),
        ({"price": "1.99999"}, "price"),
        ({"unit": "bushel"}, "unit"),
        ({"price": "lots"}, "price"),
        ({"cost": -1}, "cost"),
        ({"reorder_point": "1.0001"}, "reorder_point"),
        ({"reorder_quantity": -5}, "reorder_quantity"),
        ({"lead_time_days": -1}, "lead_time_days"),
        ({"currency": "usd"}, "currency"),
        ({"currency": "US"}, "currency"),
        ({"category": 999999}, "category"),
        ({"supplier": "abc"}, "supplier"),
        ({"sku": "x" * 65}, "sku"),
    ],
)
def test_invalid_products_are_problem_json(admin_client, new_product, changes, field):
    response = admin_client.post(PRODUCTS, {**new_product, **changes})
    body = assert_problem(response, 400, "validation_error")
    assert list(body["errors"]) == [field]
    assert not Product.objects.exists()


def test_sku_taken_in_another_case_is_a_validation_error(admin_client, new_product):
    ProductFactory(sku=new_product["sku"].lower())
    body = assert_problem(admin_client.post(PRODUCTS, new_product), 400, "validation_error")
    assert list(body["errors"]) == ["sku"]


def test_inactive_supplier_is_refused_as_default_supplier(admin_client, new_product):
    inactive = SupplierFactory(is_active=False)
    response = admin_client.post(PRODUCTS, {**new_product, "supplier": inactive.pk})
    body = assert_problem(response, 400, "validation_error")
    assert list(body["errors"]) == ["supplier"]


def test_malformed_json_is_problem_json(admin_client):
    response = admin_client.generic("POST", PRODUCTS, "{not json", content_type="application/json")
    assert_problem(response, 400, "parse_error")


def test_patch_product(admin_client, emitted):
    product = ProductFactory()
    response = admin_client.patch(
        f"{PRODUCTS}{product.pk}/", {"price": "11.50", "category": None, "is_active": False}
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["price"], response.json()["category_name"]) == ("11.5000", None)
    product.refresh_from_db()
    assert (product.price, product.category, product.is_active) == (Decimal("11.50"), None, False)
    assert emitted("product.updated")[0]["data"]["price"] == "11.5000"


def test_put_keeps_a_default_supplier_that_became_inactive(admin_client):
    product = ProductFactory()
    url = f"{PRODUCTS}{product.pk}/"
    body = admin_client.get(url).json()
    product.supplier.is_active = False
    product.supplier.save()
    response = admin_client.put(url, {**body, "name": "Renamed"})
    assert response.status_code == 200, response.json()


def test_delete_unreferenced_product(admin_client, emitted):
    product = ProductFactory()
    assert admin_client.delete(f"{PRODUCTS}{product.pk}/").status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()
    assert emitted("product.deleted")


def test_delete_product_with_stock_is_409_and_deactivating_works(admin_client, emitted):
    product = ProductFactory()
    put_stock(product, WarehouseFactory(), 5)
    url = f"{PRODUCTS}{product.pk}/"
    assert "deactivate" in assert_problem(admin_client.delete(url), 409, "conflict")["detail"]
    assert not emitted("product.deleted")
    assert admin_client.patch(url, {"is_active": False}).json()["is_active"] is False


def test_delete_product_on_a_sales_order_is_409(admin_client):
    product = ProductFactory()
    make_order((product, 1))
    assert_problem(admin_client.delete(f"{PRODUCTS}{product.pk}/"), 409, "conflict")
    assert Product.objects.filter(pk=product.pk).exists()


def test_etag_and_stale_if_match(admin_client):
    product = ProductFactory()
    url = f"{PRODUCTS}{product.pk}/"
    etag = admin_client.get(url)["ETag"]
    assert etag
    response = admin_client.patch(url, {"name": "First"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert_problem(
        admin_client.patch(url, {"name": "Second"}, HTTP_IF_MATCH=etag), 412, "precondition_failed"
    )
    assert_problem(admin_client.delete(url, HTTP_IF_MATCH=etag), 412, "precondition_failed")
    product.refresh_from_db()
    assert product.name == "First"


@pytest.mark.parametrize("path", ["abc/", "999999/", "99999999999999999999999/"])
def test_unknown_products_are_404(admin_client, path):
    assert_problem(admin_client.get(f"{PRODUCTS}{path}"), 404, "not_found")
    assert_problem(admin_client.patch(f"{PRODUCTS}{path}", {"name": "x"}), 404, "not_found")


def test_search_filter_and_order(admin_client, category, supplier):
    ProductFactory(sku="B-2", name="Wood screw", barcode="111", price=Decimal("3.00"))
    ProductFactory(
        sku="A-1", name="Hex bolt", category=category, supplier=supplier, price=Decimal("9.00")
    )
    ProductFactory(sku="C-3", name="Hex nut", is_active=False, price=Decimal("1.00"))

    def skus(query: str) -> list[str]:
        response = admin_client.get(f"{PRODUCTS}?{query}")
        assert response.status_code == 200, response.json()
        return [row["sku"] for row in response.json()["results"]]

    assert skus("") == ["A-1", "B-2", "C-3"]
    assert skus("search=hex") == ["A-1", "C-3"]
    assert skus("search=b-2") == ["B-2"]
    assert skus("search=111") == ["B-2"]
    assert skus(f"category={category.pk}") == ["A-1"]
    assert skus(f"supplier={supplier.pk}") == ["A-1"]
    assert skus("is_active=false") == ["C-3"]
    assert skus("price__gte=2&price__lte=5") == ["B-2"]
    assert skus("ordering=-price") == ["A-1", "B-2", "C-3"]
    assert skus("ordering=name") == ["A-1", "C-3", "B-2"]


@pytest.mark.parametrize("query", ["category=abc", "category=999999", "price__gte=cheap"])
def test_bad_filters_are_problem_json(admin_client, query):
    assert_problem(admin_client.get(f"{PRODUCTS}?{query}"), 400, "validation_error")


def test_pagination(admin_client):
    ProductFactory.create_batch(7)
    body = admin_client.get(f"{PRODUCTS}?page_size=5&page=2").json()
    assert (body["count"], len(body["results"]), body["next"]) == (7, 2, None)
    assert body["previous"]


def test_product_list_runs_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    ProductFactory.create_batch(40)
    with django_assert_max_num_queries(5):
        response = admin_client.get(f"{PRODUCTS}?page_size=100")
    assert len(response.json()["results"]) == 40
    assert all(row["supplier_name"] and row["category_name"] for row in response.json()["results"])


def test_every_role_reads_the_catalog(client_for):
    ProductFactory()
    for role in Role:
        client = client_for(role)
        assert client.get(PRODUCTS).json()["count"] == 1, role
        assert client.get(CATEGORIES).json()["count"] == 1, role


def test_who_may_write_the_catalog(client_for):
    allowed = {Role.ADMIN, Role.MANAGER, Role.PURCHASING}
    for index, role in enumerate(Role):
        client = client_for(role)
        product = client.post(PRODUCTS, {"sku": f"R-{index}", "name": "Role test"})
        category = client.post(CATEGORIES, {"name": f"Role test {index}"})
        if role in allowed:
            assert (product.status_code, category.status_code) == (201, 201), role
        else:
            assert_problem(product, 403, "permission_denied")
            assert_problem(category, 403, "permission_denied")
    assert Product.objects.count() == len(allowed)


def test_viewer_and_sales_cannot_change_or_delete_products(client_for):
    product = ProductFactory()
    for role in (Role.VIEWER, Role.SALES):
        client = client_for(role)
        url = f"{PRODUCTS}{product.pk}/"
        assert_problem(client.patch(url, {"name": "x"}), 403, "permission_denied")
        assert_problem(client.delete(url), 403, "permission_denied")


def test_anonymous_is_401(api_client):
    assert_problem(api_client.get(PRODUCTS), 401, "not_authenticated")


# --- categories -------------------------------------------------------------------------


def test_category_crud(admin_client, emitted):
    root = admin_client.post(CATEGORIES, {"name": "Hardware"})
    assert root.status_code == 201, root.json()
    assert root.json() == {"id": root.json()["id"], "name": "Hardware", "parent": None}
    child = admin_client.post(CATEGORIES, {"name": "Fasteners", "parent": root.json()["id"]})
    assert child.json()["parent"] == root.json()["id"]

    url = f"{CATEGORIES}{child.json()['id']}/"
    assert admin_client.patch(url, {"name": "Bolts & nuts"}).json()["name"] == "Bolts & nuts"
    assert admin_client.delete(url).status_code == 204
    assert [event["type"] for event in emitted()] == [
        "category.created",
        "category.created",
        "category.updated",
        "category.deleted",
    ]


def test_category_filters(admin_client):
    root = CategoryFactory(name="Hardware")
    CategoryFactory(name="Fasteners", parent=root)
    CategoryFactory(name="Electrical")

    def names(query: str) -> list[str]:
        return [row["name"] for row in admin_client.get(f"{CATEGORIES}?{query}").json()["results"]]

    assert names("") == ["Electrical", "Fasteners", "Hardware"]
    assert names("parent__isnull=true") == ["Electrical", "Hardware"]
    assert names(f"parent={root.pk}") == ["Fasteners"]
    assert names("search=fast") == ["Fasteners"]


def test_category_cycle_is_a_validation_error(admin_client):
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    for parent in (child, root):
        response = admin_client.patch(f"{CATEGORIES}{root.pk}/", {"parent": parent.pk})
        body = assert_problem(response, 400, "validation_error")
        assert list(body["errors"]) == ["parent"]


def test_duplicate_sibling_category_is_a_validation_error(admin_client):
    CategoryFactory(name="Hardware")
    body = assert_problem(
        admin_client.post(CATEGORIES, {"name": "HARDWARE"}), 400, "validation_error"
    )
    assert list(body["errors"]) == ["name"]


def test_deleting_a_category_in_use_is_409(admin_client):
    product = ProductFactory()
    assert_problem(admin_client.delete(f"{CATEGORIES}{product.category_id}/"), 409, "conflict")
    assert Category.objects.filter(pk=product.category_id).exists()


def test_category_list_runs_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    root = CategoryFactory()
    CategoryFactory.create_batch(20, parent=root)
    with django_assert_max_num_queries(5):
        assert len(admin_client.get(f"{CATEGORIES}?page_size=100").json()["results"]) == 21
