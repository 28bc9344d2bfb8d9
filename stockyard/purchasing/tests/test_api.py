from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core.testing import assert_problem
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import SupplierFactory
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.models import PurchaseOrder
from stockyard.purchasing.selectors import reorder_suggestion_list
from stockyard.purchasing.tests.factories import make_purchase_order

pytestmark = pytest.mark.django_db

D = Decimal
ORDERS = "/api/v1/purchase-orders/"


def detail(order: PurchaseOrder) -> str:
    return f"{ORDERS}{order.pk}/"


@pytest.fixture
def buyer(client_for) -> APIClient:
    return client_for(Role.PURCHASING)


@pytest.fixture
def new_order(supplier, warehouse, product, other_product) -> dict:
    return {
        "supplier": supplier.pk,
        "warehouse": warehouse.pk,
        "expected_date": "2031-01-15",
        "lines": [
            {"product": product.pk, "quantity": "10"},
            {"product": other_product.pk, "quantity": 4, "unit_cost": "3.10", "tax_rate": "20"},
        ],
    }


# --- create, read, edit --------------------------------------------------------------


def test_create_answers_the_whole_order_with_server_side_totals(buyer, new_order, product):
    response = buyer.post(ORDERS, new_order)
    assert response.status_code == 201, response.json()
    body = response.json()
    order = PurchaseOrder.objects.get()
    assert response["ETag"]
    assert body["number"] == order.number == f"PO-{order.pk:06d}"
    assert body["status"] == "draft"
    assert body["currency"] == "USD"
    assert body["expected_date"] == "2031-01-15"
    first, second = body["lines"]
    assert first["product"] == product.pk
    assert first["product_sku"] == product.sku
    assert (first["quantity"], first["quantity_received"]) == ("10.000", "0.000")
    assert (first["unit_cost"], first["line_total"]) == ("4.0000", "40.00")  # the product's cost
    assert (second["line_subtotal"], second["line_tax"], second["line_total"]) == (
        "12.40",
        "2.48",
        "14.88",
    )
    assert (body["subtotal"], body["tax_total"], body["total"]) == ("52.40", "2.48", "54.88")
    assert body["created_by"] == buyer.user.pk
    assert {"supplier_name", "warehouse_code", "created_at", "updated_at"} <= body.keys()
    assert buyer.get(detail(order)).json() == body


def test_invalid_lines_are_problems_with_dotted_paths(buyer, new_order):
    new_order["lines"][0]["quantity"] = "0"
    new_order["lines"][1]["product"] = 999_999
    new_order["lines"][1]["unit_cost"] = "-1"
    body = assert_problem(buyer.post(ORDERS, new_order), 400, "validation_error")
    assert set(body["errors"]) == {"lines.0.quantity", "lines.1.product", "lines.1.unit_cost"}
    assert body["errors"]["lines.0.quantity"] == ["Must be greater than 0."]
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"supplier": 999_999}, "supplier"),
        ({"warehouse": None}, "warehouse"),
        ({"currency": "usd"}, "currency"),
        ({"expected_date": "2000-01-01"}, "expected_date"),
        ({"lines": [{"product": 1, "quantity": "1.0001"}]}, "lines.0.quantity"),
        ({"lines": "many"}, "lines"),
    ],
)
def test_bad_header_fields_are_refused(buyer, new_order, change, field):
    body = assert_problem(buyer.post(ORDERS, {**new_order, **change}), 400, "validation_error")
    assert any(key.startswith(field) for key in body["errors"]), body


def test_an_inactive_product_is_named_in_its_line(buyer, new_order):
    new_order["lines"][1]["product"] = ProductFactory(is_active=False).pk
    body = assert_problem(buyer.post(ORDERS, new_order), 400, "validation_error")
    assert list(body["errors"]) == ["lines.1.product"]


def test_patch_replaces_the_lines_of_a_draft(buyer, product, other_product):
    order = make_purchase_order([(product, 5), (other_product, 5)])
    response = buyer.patch(
        detail(order), {"lines": [{"product": other_product.pk, "quantity": "2"}], "notes": "x"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(line["product"], line["quantity"]) for line in body["lines"]] == [
        (other_product.pk, "2.000")
    ]
    assert (body["total"], body["notes"]) == ("5.00", "x")


def test_after_submission_only_notes_and_expected_date_may_change(buyer, product):
    order = make_purchase_order([(product, 5)], status=Status.SUBMITTED)
    response = buyer.patch(detail(order), {"notes": "Dock 3", "expected_date": "2031-02-01"})
    assert response.status_code == 200
    assert response.json()["notes"] == "Dock 3"

    refused = buyer.patch(detail(order), {"lines": [{"product": product.pk, "quantity": "50"}]})
    assert_problem(refused, 409, "invalid_transition")
    refused = buyer.patch(detail(order), {"warehouse": WarehouseFactory().pk})
    assert_problem(refused, 409, "invalid_transition")
    order.refresh_from_db()
    assert order.lines.get().quantity == 5


def test_a_stale_if_match_is_refused(buyer, product):
    order = make_purchase_order([(product, 5)])
    etag = buyer.get(detail(order))["ETag"]
    assert buyer.patch(detail(order), {"notes": "first"}, HTTP_IF_MATCH=etag).status_code == 200
    stale = buyer.patch(detail(order), {"notes": "second"}, HTTP_IF_MATCH=etag)
    assert_problem(stale, 412, "precondition_failed")
    order.refresh_from_db()
    assert order.notes == "first"


def test_orders_are_not_deleted_but_cancelled(buyer, product):
    order = make_purchase_order([(product, 5)])
    assert_problem(buyer.delete(detail(order)), 405, "method_not_allowed")
    assert_problem(buyer.get(f"{ORDERS}999999/"), 404, "not_found")


def test_idempotent_create_with_an_idempotency_key(buyer, new_order):
    first = buyer.post(ORDERS, new_order, HTTP_IDEMPOTENCY_KEY="po-42")
    again = buyer.post(ORDERS, new_order, HTTP_IDEMPOTENCY_KEY="po-42")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert PurchaseOrder.objects.count() == 1
    other = buyer.post(ORDERS, {**new_order, "notes": "else"}, HTTP_IDEMPOTENCY_KEY="po-42")
    assert_problem(other, 422, "idempotency_key_reused")


def test_list_filters_search_and_ordering(buyer, product):
    acme, north = SupplierFactory(), WarehouseFactory()
    draft = make_purchase_order([(product, 1)], supplier=acme)
    submitted = make_purchase_order([(product, 2)], warehouse=north, status=Status.SUBMITTED)
    received = make_purchase_order([(product, 3)], status=Status.RECEIVED)

    def ids(query: str) -> list[int]:
        response = buyer.get(f"{ORDERS}?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [received.pk, submitted.pk, draft.pk]
    assert ids("status=submitted") == [submitted.pk]
    assert ids(f"supplier={acme.pk}") == [draft.pk]
    assert ids(f"warehouse={north.pk}") == [submitted.pk]
    assert ids(f"search={received.number}") == [received.pk]
    assert ids("ordering=total") == [draft.pk, submitted.pk, received.pk]
    assert_problem(buyer.get(f"{ORDERS}?status=lost"), 400, "validation_error")
    assert len(ids("page_size=500")) == 3


def test_the_list_runs_a_fixed_number_of_queries(buyer, product, other_product):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert buyer.get(ORDERS).status_code == 200
        return len(context)

    make_purchase_order([(product, 1), (other_product, 1)])
    queries()  # a user's first request also reads their roles, known from then on
    one = queries()
    for _ in range(5):
        make_purchase_order([(product, 1), (other_product, 1)], supplier=SupplierFactory())
    assert queries() == one


# --- transitions over HTTP -------------------------------------------------------------


def test_submit_receive_and_close_over_http(client_for, product, other_product, warehouse):
    buyer, clerk = client_for(Role.PURCHASING), client_for(Role.WAREHOUSE)
    order = make_purchase_order([(product, 10), (other_product, 5)], warehouse=warehouse)
    submitted = buyer.post(f"{detail(order)}submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted["ETag"]
    first, second = (line["id"] for line in submitted.json()["lines"])

    response = clerk.post(
        f"{detail(order)}receive/",
        {"lines": [{"line": first, "quantity": "4"}, {"line": second, "quantity": 5}]},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "partially_received"
    assert [line["quantity_received"] for line in body["lines"]] == ["4.000", "5.000"]
    assert StockLevel.objects.get(product=product, warehouse=warehouse).on_hand == 4

    closed = buyer.post(f"{detail(order)}close/")
    assert closed.json()["status"] == "closed"
    refused = clerk.post(f"{detail(order)}receive/", {"lines": [{"line": first, "quantity": "1"}]})
    assert_problem(refused, 409, "invalid_transition")


def test_over_receipt_is_a_conflict_and_changes_nothing(buyer, product, warehouse, stock_snapshot):
    order = make_purchase_order([(product, 10)], warehouse=warehouse, status=Status.SUBMITTED)
    line = order.lines.get()
    before = stock_snapshot()
    response = buyer.post(
        f"{detail(order)}receive/", {"lines": [{"line": line.pk, "quantity": "11"}]}
    )
    body = assert_problem(response, 409, "conflict")
    assert list(body["errors"]) == ["lines.0.quantity"]
    assert stock_snapshot() == before
    line.refresh_from_db()
    assert line.quantity_received == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "lines"),
        ({"lines": []}, "lines"),
        ({"lines": [{"line": "x", "quantity": "1"}]}, "lines.0.line"),
        ({"lines": [{"quantity": "1"}]}, "lines.0.line"),
        ({"lines": [{"line": 1, "quantity": "-2"}]}, "lines.0.quantity"),
    ],
)
def test_malformed_receipts_are_validation_errors(buyer, product, body, field):
    order = make_purchase_order([(product, 10)], status=Status.SUBMITTED)
    problem = assert_problem(buyer.post(f"{detail(order)}receive/", body), 400, "validation_error")
    assert field in problem["errors"], problem


def test_receiving_a_line_of_another_order_is_a_validation_error(buyer, product):
    order = make_purchase_order([(product, 10)], status=Status.SUBMITTED)
    foreign = make_purchase_order([(product, 10)], status=Status.SUBMITTED).lines.get()
    response = buyer.post(
        f"{detail(order)}receive/", {"lines": [{"line": foreign.pk, "quantity": "1"}]}
    )
    body = assert_problem(response, 400, "validation_error")
    assert list(body["errors"]) == ["lines.0.line"]


def test_illegal_transitions_are_409_invalid_transition(buyer, product):
    received = make_purchase_order([(product, 10)], status=Status.RECEIVED)
    for verb in ("submit", "cancel"):
        assert_problem(buyer.post(f"{detail(received)}{verb}/"), 409, "invalid_transition")
    draft = make_purchase_order([(product, 10)])
    assert_problem(buyer.post(f"{detail(draft)}close/"), 409, "invalid_transition")
    assert buyer.post(f"{detail(draft)}cancel/").json()["status"] == "cancelled"


def test_an_empty_order_cannot_be_submitted(buyer, supplier, warehouse):
    created = buyer.post(ORDERS, {"supplier": supplier.pk, "warehouse": warehouse.pk})
    assert created.status_code == 201
    response = buyer.post(f"{ORDERS}{created.json()['id']}/submit/")
    body = assert_problem(response, 409, "invalid_transition")
    assert "no lines" in body["detail"]


# --- reorder suggestions and orders drafted from them ------------------------------------


def test_from_suggestions_drafts_orders_per_supplier_and_reports_skips(buyer, warehouse):
    acme = SupplierFactory()
    bolts = ProductFactory(supplier=acme, reorder_point=D(10), reorder_quantity=D(30))
    orphan = ProductFactory(supplier=None, reorder_point=D(10))
    put_stock(bolts, warehouse, 2)
    put_stock(orphan, warehouse, 2)

    response = buyer.post(f"{ORDERS}from-suggestions/", {"warehouse": warehouse.pk})
    assert response.status_code == 201, response.json()
    [order] = response.json()["orders"]
    assert (order["supplier"], order["status"], order["warehouse"]) == (
        acme.pk,
        "draft",
        warehouse.pk,
    )
    assert [(line["product"], line["quantity"]) for line in order["lines"]] == [
        (bolts.pk, "30.000")
    ]
    [skipped] = response.json()["skipped"]
    assert skipped["product"] == orphan.pk
    assert skipped["reason"] == "The product has no default supplier."

    suggestions = buyer.get(f"/api/v1/reorder-suggestions/?warehouse={warehouse.pk}").json()
    [still_short] = suggestions["results"]  # the drafted need is on order now
    assert (still_short["product"], still_short["on_order"]) == (orphan.pk, "0.000")
    again = buyer.post(f"{ORDERS}from-suggestions/", {"warehouse": warehouse.pk})
    assert again.status_code == 200  # nothing drafted
    assert (again.json()["orders"], again.json()["skipped"]) == ([], [skipped])


def test_from_suggestions_with_nothing_to_order_creates_nothing(buyer, warehouse):
    response = buyer.post(f"{ORDERS}from-suggestions/", {"warehouse": warehouse.pk})
    assert response.status_code == 200
    assert response.json() == {"orders": [], "skipped": []}
    body = assert_problem(
        buyer.post(f"{ORDERS}from-suggestions/", {"warehouse": 999_999}), 400, "validation_error"
    )
    assert "warehouse" in body["errors"]


def test_reorder_suggestions_over_http(client_for, warehouse, product):
    put_stock(product, warehouse, 2)
    viewer = client_for(Role.VIEWER)
    response = viewer.get("/api/v1/reorder-suggestions/")
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "product": product.pk,
            "product_sku": product.sku,
            "product_name": product.name,
            "warehouse": warehouse.pk,
            "warehouse_code": warehouse.code,
            "supplier": product.supplier_id,
            "supplier_name": product.supplier.name,
            "available": "2.000",
            "on_order": "0.000",
            "reorder_point": "5.000",
            "reorder_quantity": "20.000",
            "suggested_quantity": "20.000",
        }
    ]
    other = WarehouseFactory()
    assert viewer.get(f"/api/v1/reorder-suggestions/?warehouse={other.pk}").json()["count"] == 0
    assert viewer.get(f"/api/v1/reorder-suggestions/?product={product.pk}").json()["count"] == 1
    assert (
        viewer.get(f"/api/v1/reorder-suggestions/?supplier={product.supplier_id}").json()["count"]
        == 1
    )
    bad = viewer.get("/api/v1/reorder-suggestions/?warehouse=north")
    assert "warehouse" in assert_problem(bad, 400, "validation_error")["errors"]


def test_reorder_suggestion_pages_are_the_list_counted(client_for, warehouse):
    """Pages (a count, then the page's rows: one query on PostgreSQL) hold the list's
    suggestions in its order, low levels and pairs only on order alike."""
    north = WarehouseFactory()
    for index in range(4):
        product = ProductFactory(sku=f"P-{7 - index}", reorder_point=D(10))
        put_stock(product, warehouse if index % 2 else north, 1)
        if index < 3:  # on order only, no level
            make_purchase_order([(product, 2)], warehouse=north if index % 2 else warehouse)
    expected = [(s.product_sku, s.warehouse_code) for s in reorder_suggestion_list()]
    assert len(expected) == 7
    viewer = client_for(Role.VIEWER)
    seen = []
    for page in (1, 2, 3):
        body = viewer.get("/api/v1/reorder-suggestions/", {"page": page, "page_size": 3}).json()
        assert body["count"] == 7
        assert (body["previous"] is None) == (page == 1)
        assert (body["next"] is None) == (page == 3)
        seen += [(row["product_sku"], row["warehouse_code"]) for row in body["results"]]
    assert seen == expected
    last = viewer.get("/api/v1/reorder-suggestions/", {"page": "last", "page_size": 3}).json()
    assert [(row["product_sku"], row["warehouse_code"]) for row in last["results"]] == seen[6:]
    beyond = viewer.get("/api/v1/reorder-suggestions/", {"page": 4, "page_size": 3})
    assert_problem(beyond, 404, "not_found")
    assert_problem(viewer.get("/api/v1/reorder-suggestions/?page=0"), 404, "not_found")
    empty = viewer.get(f"/api/v1/reorder-suggestions/?warehouse={WarehouseFactory().pk}")
    assert empty.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_reorder_suggestion_page_runs_a_fixed_number_of_queries(
    client_for, warehouse, django_assert_max_num_queries
):
    viewer = client_for(Role.VIEWER)
    for many in (False, True):
        for _ in range(30 if many else 3):
            put_stock(ProductFactory(reorder_point=D(10)), warehouse, 1)
        viewer.get("/api/v1/reorder-suggestions/?page_size=2")  # warm up
        # the user, then the page with its count (PostgreSQL), or a count and the page
        with django_assert_max_num_queries(2 if connection.vendor == "postgresql" else 3):
            response = viewer.get("/api/v1/reorder-suggestions/?page_size=2")
        assert len(response.json()["results"]) == 2


# --- who may do what -------------------------------------------------------------------

MANAGERS = {Role.ADMIN, Role.MANAGER, Role.PURCHASING}
RECEIVERS = MANAGERS | {Role.WAREHOUSE}


@pytest.mark.parametrize("role", list(Role))
def test_role_matrix(client_for, role, product, warehouse, supplier):
    client = client_for(role)
    draft = make_purchase_order([(product, 10)], warehouse=warehouse)
    open_order = make_purchase_order([(product, 10)], warehouse=warehouse, status=Status.SUBMITTED)
    line = open_order.lines.get()

    assert client.get(ORDERS).status_code == 200
    assert client.get(detail(draft)).status_code == 200
    assert client.get("/api/v1/reorder-suggestions/").status_code == 200

    writes = {  # name: (response, status when allowed)
        "create": (client.post(ORDERS, {"supplier": supplier.pk, "warehouse": warehouse.pk}), 201),
        "update": (client.patch(detail(draft), {"notes": "n"}), 200),
        "submit": (client.post(f"{detail(draft)}submit/"), 200),
        "close": (client.post(f"{detail(open_order)}close/"), 409),  # allowed, not yet received
        "cancel": (client.post(f"{detail(make_purchase_order([(product, 1)]))}cancel/"), 200),
        "from-suggestions": (
            client.post(f"{ORDERS}from-suggestions/", {"warehouse": warehouse.pk}),
            200,  # nothing to suggest: the open order covers the reorder point
        ),
    }
    for name, (response, expected) in writes.items():
        if role in MANAGERS:
            assert response.status_code == expected, (name, response.json())
        else:
            assert_problem(response, 403, "permission_denied")

    received = client.post(
        f"{detail(open_order)}receive/", {"lines": [{"line": line.pk, "quantity": "1"}]}
    )
    assert received.status_code == (200 if role in RECEIVERS else 403)


def test_anonymous_callers_are_401(api_client, product):
    order = make_purchase_order([(product, 10)])
    assert_problem(api_client.get(ORDERS), 401, "not_authenticated")
    assert_problem(api_client.post(f"{detail(order)}submit/"), 401, "not_authenticated")
    assert_problem(api_client.get("/api/v1/reorder-suggestions/"), 401, "not_authenticated")
