from decimal import Decimal

import pytest
from django.db import connection

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.sales.models import SalesOrder
from stockyard.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db

D = Decimal
URL = "/api/v1/sales-orders/"
PROBLEM = "application/problem+json"


def url(order, action: str = "") -> str:
    return f"{URL}{order.pk}/{action + '/' if action else ''}"


@pytest.fixture
def warehouse():
    return WarehouseFactory()


@pytest.fixture
def product(warehouse):
    product = ProductFactory(price=D("19.99"))
    put_stock(product, warehouse, 10)
    return product


@pytest.fixture
def customer():
    return CustomerFactory(shipping_address="1 Harbour Way")


@pytest.fixture
def sales(client_for):
    return client_for(Role.SALES)


def body(customer, warehouse, *lines, **fields):
    return {"customer": customer.pk, "warehouse": warehouse.pk, "lines": list(lines), **fields}


@pytest.fixture
def one_line(customer, warehouse, product):
    """A valid creation body: one unit of ``product``."""
    return body(customer, warehouse, {"product": product.pk, "quantity": "1"})


@pytest.fixture
def draft(customer, warehouse, product):
    return make_order((product, 1), customer=customer, warehouse=warehouse)


def test_create_returns_the_priced_draft(sales, customer, warehouse, product):
    response = sales.post(
        URL,
        body(
            customer,
            warehouse,
            {"product": product.pk, "quantity": "3", "tax_rate": "20.00"},
            {"product": product.pk, "quantity": 1.5, "unit_price": "0.05", "discount_percent": 50},
        ),
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    order = SalesOrder.objects.get()
    assert response["ETag"]
    assert data == {
        "id": order.pk,
        "number": f"SO-{order.pk:06d}",
        "customer": customer.pk,
        "customer_name": customer.name,
        "warehouse": warehouse.pk,
        "warehouse_code": warehouse.code,
        "status": "draft",
        "currency": "USD",
        "order_date": order.order_date.isoformat(),
        "shipping_address": "1 Harbour Way",
        "notes": "",
        "allow_backorder": False,
        "lines": [
            {
                "id": data["lines"][0]["id"],
                "product": product.pk,
                "product_sku": product.sku,
                "product_name": product.name,
                "quantity": "3.000",
                "quantity_shipped": "0.000",
                "quantity_cancelled": "0.000",
                "quantity_backordered": "0.000",
                "quantity_returned": "0.000",
                "unit_price": "19.9900",
                "exchange_rate": None,
                "discount_percent": "0.0000",
                "tax_rate": "20.0000",
                "line_subtotal": "59.97",
                "line_discount": "0.00",
                "line_tax": "11.99",
                "line_total": "71.96",
            },
            {
                "id": data["lines"][1]["id"],
                "product": product.pk,
                "product_sku": product.sku,
                "product_name": product.name,
                "quantity": "1.500",
                "quantity_shipped": "0.000",
                "quantity_cancelled": "0.000",
                "quantity_backordered": "0.000",
                "quantity_returned": "0.000",
                "unit_price": "0.0500",
                "exchange_rate": None,
                "discount_percent": "50.0000",
                "tax_rate": "0.0000",
                # 1.5 x 0.05 = 0.075 → 0.08; 50 % of 0.08 = 0.04
                "line_subtotal": "0.08",
                "line_discount": "0.04",
                "line_tax": "0.00",
                "line_total": "0.04",
            },
        ],
        "line_count": 2,
        "subtotal": "60.05",
        "discount_total": "0.04",
        "tax_total": "11.99",
        "total": "72.00",
        "exchange_rate": "1.0000000000",
        "amount_paid": "0.00",
        "payment_status": "unpaid",
        "confirmed_at": None,
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"product": 0, "quantity": "1"}]}, "lines.0.product"),
        ({"lines": [{"product": "P", "quantity": "-1"}]}, "lines.0.quantity"),
        ({"lines": [{"product": "P", "quantity": "0"}]}, "lines.0.quantity"),
        ({"lines": [{"product": "P", "quantity": "1.0001"}]}, "lines.0.quantity"),
        (
            {"lines": [{"product": "P", "quantity": "1", "discount_percent": "100.01"}]},
            "lines.0.discount_percent",
        ),
        ({"lines": [{"product": "P", "quantity": "1", "tax_rate": "-1"}]}, "lines.0.tax_rate"),
        (
            {"lines": [{"product": "P", "quantity": "1", "unit_price": "1.00001"}]},
            "lines.0.unit_price",
        ),
        ({"lines": [{"product": "P"}]}, "lines.0.quantity"),
        ({"currency": "usd"}, "currency"),
        ({"customer": 999999}, "customer"),
        ({"order_date": "tomorrow"}, "order_date"),
    ],
)
def test_bad_input_is_a_problem_with_dotted_paths(sales, one_line, change, field):
    for line in change.get("lines", []):
        if line.get("product") == "P":
            line["product"] = one_line["lines"][0]["product"]
    response = sales.post(URL, {**one_line, **change})
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert field in problem["errors"], problem
    assert not SalesOrder.objects.exists()


def test_inactive_product_is_refused_on_its_line(sales, customer, warehouse, product):
    retired = ProductFactory(is_active=False)
    response = sales.post(
        URL,
        body(
            customer,
            warehouse,
            {"product": product.pk, "quantity": "1"},
            {"product": retired.pk, "quantity": "1"},
        ),
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"lines.1.product"}


def test_line_products_are_fetched_together_and_refused_line_by_line(
    sales, customer, warehouse, product
):
    lines = [
        {"product": product.pk, "quantity": "1"},
        {"product": 999999, "quantity": "1"},
        {"product": str(product.pk), "quantity": "1"},
        {"product": True, "quantity": "1"},
    ]
    response = sales.post(URL, body(customer, warehouse, *lines))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"lines.1.product", "lines.3.product"}
    assert not SalesOrder.objects.exists()


def test_patch_replaces_lines_while_draft_and_checks_if_match(sales, customer, warehouse, product):
    order = make_order((product, 1), customer=customer, warehouse=warehouse)
    etag = sales.get(url(order))["ETag"]
    response = sales.patch(
        url(order),
        {"lines": [{"product": product.pk, "quantity": "2", "unit_price": "5.00"}]},
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["total"] == "10.00"
    assert [line["quantity"] for line in response.json()["lines"]] == ["2.000"]

    stale = sales.patch(url(order), {"notes": "late"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"


def test_patch_lines_of_a_partial_line_is_refused_not_a_crash(sales, draft):
    response = sales.patch(url(draft), {"lines": [{"quantity": "2"}]})
    assert response.status_code == 400
    assert "lines.0.product" in response.json()["errors"]


def test_editing_lines_of_a_confirmed_order_is_409(sales, customer, warehouse, product):
    order = make_order((product, 1), customer=customer, warehouse=warehouse, confirm=True)
    response = sales.patch(url(order), {"lines": [{"product": product.pk, "quantity": "5"}]})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["errors"] == {"lines": ["Only editable while the order is a draft."]}
    response = sales.patch(url(order), {"notes": "gate code 1234"})
    assert response.status_code == 200
    assert response.json()["notes"] == "gate code 1234"


def test_confirm_and_cancel_over_http(sales, customer, warehouse, product):
    order = make_order((product, 4), customer=customer, warehouse=warehouse)
    response = sales.post(url(order, "confirm"))
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert response.json()["confirmed_at"]
    assert StockLevel.objects.get(product=product).reserved == 4

    again = sales.post(url(order, "confirm"))
    assert again.status_code == 409
    assert again["Content-Type"] == PROBLEM
    assert again.json()["code"] == "invalid_transition"

    response = sales.post(url(order, "cancel"))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert StockLevel.objects.get(product=product).reserved == 0
    assert sales.post(url(order, "cancel")).json()["code"] == "invalid_transition"


def test_confirm_short_of_stock_names_the_lines(sales, customer, warehouse, product):
    scarce = ProductFactory()
    put_stock(scarce, warehouse, 1)
    order = make_order((product, 1), (scarce, 2), customer=customer, warehouse=warehouse)
    response = sales.post(url(order, "confirm"))
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "insufficient_stock"
    assert list(problem["errors"]) == ["lines.1.quantity"]
    assert StockLevel.objects.get(product=product).reserved == 0


def test_confirm_over_the_credit_limit_is_409_conflict(sales, warehouse, product):
    customer = CustomerFactory(credit_limit=D("10.00"))
    order = make_order((product, 1), customer=customer, warehouse=warehouse)  # 19.99
    response = sales.post(url(order, "confirm"))
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_orders_are_cancelled_not_deleted_or_replaced(sales, draft):
    assert sales.delete(url(draft)).status_code == 405
    assert sales.put(url(draft), {}).status_code == 405


def test_idempotent_creation_replays_the_first_response(sales, one_line):
    first = sales.post(URL, one_line, HTTP_IDEMPOTENCY_KEY="order-42")
    replay = sales.post(URL, one_line, HTTP_IDEMPOTENCY_KEY="order-42")
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert SalesOrder.objects.count() == 1
    other = sales.post(URL, {**one_line, "notes": "another"}, HTTP_IDEMPOTENCY_KEY="order-42")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_filters_search_and_ordering(sales, warehouse, product):
    alice, bob = CustomerFactory(name="Alice"), CustomerFactory(name="Bob")
    small = make_order((product, 1), customer=alice, warehouse=warehouse, confirm=True)
    large = make_order((product, 3), customer=bob, warehouse=warehouse)
    elsewhere = make_order((ProductFactory(), 1), customer=bob)

    def numbers(query: str) -> list[str]:
        response = sales.get(URL + query)
        assert response.status_code == 200
        return [row["number"] for row in response.json()["results"]]

    assert numbers("?status=confirmed") == [small.number]
    assert numbers(f"?customer={bob.pk}&ordering=id") == [large.number, elsewhere.number]
    assert numbers(f"?warehouse={warehouse.pk}&ordering=-total") == [large.number, small.number]
    assert numbers(f"?search={large.number}") == [large.number]
    assert numbers("?search=alice") == [small.number]
    assert sales.get(URL + "?status=lost").status_code == 400


def test_a_detail_is_found_by_id_alone(sales, draft):
    # List filters in the query string do not hide a document asked for by its id.
    response = sales.get(url(draft) + "?status=cancelled&search=nothing")
    assert response.status_code == 200
    assert response.json()["number"] == draft.number
    assert sales.post(f"{URL}999999/confirm/").status_code == 404


def test_list_runs_a_fixed_number_of_queries(
    sales, warehouse, product, django_assert_max_num_queries
):
    for _ in range(5):
        make_order((product, 1), (ProductFactory(), 2), warehouse=warehouse)
    # auth user + roles, count, orders with customer and warehouse, lines with products
    with django_assert_max_num_queries(5):
        response = sales.get(URL)
    assert response.json()["count"] == 5


@pytest.mark.parametrize("line_count", [3, 10])
def test_create_and_confirm_run_a_fixed_number_of_queries(
    sales, customer, warehouse, line_count, django_assert_num_queries
):
    products = [ProductFactory() for _ in range(line_count)]
    for each in products:
        put_stock(each, warehouse, 5)
    lines = [{"product": each.pk, "quantity": "1"} for each in products]
    # auth user + roles (the user's first request), customer, warehouse, all lines'
    # products with their units; then in one transaction (begin and commit: a savepoint
    # here) the order, then its number, its lines and the event in one round trip (one
    # by one elsewhere than on PostgreSQL); no read-back
    with django_assert_num_queries(9 if connection.vendor == "postgresql" else 11):
        created = sales.post(URL, body(customer, warehouse, *lines))
    assert created.status_code == 201, created.json()
    # auth user (its roles are known for its roles epoch); in one transaction the order
    # locked (no read before it), its lines with products (a draft: no backorders to
    # read), the savepoint of the reservation, the stock levels locked, all levels written
    # with their events in one round trip, its release, then the order written, its sales
    # added to the report summaries and its event in one round trip (elsewhere than on
    # PostgreSQL the writes go one by one, and no summaries are kept)
    with django_assert_num_queries(10 if connection.vendor == "postgresql" else 12):
        confirmed = sales.post(f"{URL}{created.json()['id']}/confirm/")
    assert confirmed.status_code == 200, confirmed.json()
    assert len(confirmed.json()["lines"]) == line_count


def test_answers_are_what_a_read_shows(sales, customer, warehouse, product):
    """Create, update, confirm and cancel answer from what their service holds; that is
    the representation (and ETag) a read of the order gives."""
    second = ProductFactory(price=D("4.50"))
    put_stock(second, warehouse, 5)
    lines = [{"product": product.pk, "quantity": "2"}, {"product": second.pk, "quantity": "1.5"}]
    created = sales.post(URL, body(customer, warehouse, *lines, notes="first"))
    order = URL + f"{created.json()['id']}/"
    steps = [
        lambda: created,
        lambda: sales.patch(order, {"notes": "second"}),
        lambda: sales.patch(order, {"lines": [*lines, {"product": second.pk, "quantity": "1"}]}),
        lambda: sales.post(order + "confirm/"),
        lambda: sales.post(order + "cancel/"),
    ]
    for step in steps:
        answer = step()
        assert answer.status_code in (200, 201), answer.json()
        shown = sales.get(order)
        assert answer.json() == shown.json()
        assert answer["ETag"] == shown["ETag"]


MATRIX = {
    Role.ADMIN: True,
    Role.MANAGER: True,
    Role.SALES: True,
    Role.PURCHASING: False,
    Role.WAREHOUSE: False,
    Role.VIEWER: False,
}


@pytest.mark.parametrize(("role", "may_write"), MATRIX.items())
def test_role_matrix(client_for, role, may_write, one_line, draft):
    client = client_for(role)
    assert client.get(URL).status_code == 200
    assert client.get(url(draft)).status_code == 200
    expected = (201, 200, 200, 200) if may_write else (403, 403, 403, 403)
    outcomes = (
        client.post(URL, one_line),
        client.patch(url(draft), {"notes": "n"}),
        client.post(url(draft, "confirm")),
        client.post(url(draft, "cancel")),
    )
    assert tuple(response.status_code for response in outcomes) == expected
    if not may_write:
        assert all(r.json()["code"] == "permission_denied" for r in outcomes)


def test_anonymous_is_401(api_client):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
