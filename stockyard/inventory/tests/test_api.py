from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory import services
from stockyard.inventory.models import StockLevel, StockMovement, Warehouse
from stockyard.inventory.services import Reference, StockLine
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def clerk(client_for) -> APIClient:
    return client_for(Role.WAREHOUSE)


@pytest.fixture
def product():
    return ProductFactory(reorder_point=D("5"), reorder_quantity=D("20"))


@pytest.fixture
def warehouse():
    return WarehouseFactory()


def test_adjustment_returns_the_movement_and_updates_the_level(clerk, product, warehouse, emitted):
    put_stock(product, warehouse, 10, unit_cost="2.50")
    response = clerk.post(
        "/api/v1/stock-adjustments/",
        {"product": product.pk, "warehouse": warehouse.pk, "quantity": "-3", "reason": "damaged"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "adjustment"
    assert body["quantity"] == "-3.000"
    assert body["unit_cost"] == "2.5000"
    assert body["created_by"] == clerk.user.username
    assert body["reason"] == "damaged"
    level = clerk.get(f"/api/v1/stock-levels/?product={product.pk}").json()["results"][0]
    assert level | {"id": 0, "updated_at": ""} == {
        "id": 0,
        "product": product.pk,
        "product_sku": product.sku,
        "warehouse": warehouse.pk,
        "warehouse_code": warehouse.code,
        "on_hand": "7.000",
        "reserved": "0.000",
        "available": "7.000",
        "average_cost": "2.5000",
        "value": "17.50",
        "updated_at": "",
    }
    assert emitted("stock.changed")[-1]["data"]["on_hand"] == "7.000"


def test_adjustment_below_zero_is_409_insufficient_stock(clerk, product, warehouse):
    put_stock(product, warehouse, 1)
    response = clerk.post(
        "/api/v1/stock-adjustments/",
        {"product": product.pk, "warehouse": warehouse.pk, "quantity": "-2", "reason": "lost"},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert product.sku in body["detail"] and warehouse.code in body["detail"]
    assert StockLevel.objects.get(product=product).on_hand == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": "1.0001"}, "quantity"),
        ({"product": 999999}, "product"),
        ({"warehouse": "x"}, "warehouse"),
        ({"reason": ""}, "reason"),
    ],
)
def test_bad_adjustments_are_validation_errors(clerk, product, warehouse, payload, field):
    body = {"product": product.pk, "warehouse": warehouse.pk, "quantity": "1", "reason": "x"}
    response = clerk.post("/api/v1/stock-adjustments/", body | payload)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not StockMovement.objects.exists()


def test_transfer_returns_both_movements(clerk, product, warehouse):
    other = WarehouseFactory()
    put_stock(product, warehouse, 5)
    response = clerk.post(
        "/api/v1/stock-transfers/",
        {
            "product": product.pk,
            "from_warehouse": warehouse.pk,
            "to_warehouse": other.pk,
            "quantity": 2,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(m["kind"], m["quantity"]) for m in body["movements"]] == [
        ("transfer_out", "-2.000"),
        ("transfer_in", "2.000"),
    ]
    assert all(m["reference_id"] == body["id"] for m in body["movements"])


def test_transfer_to_the_same_warehouse_is_400(clerk, product, warehouse):
    response = clerk.post(
        "/api/v1/stock-transfers/",
        {
            "product": product.pk,
            "from_warehouse": warehouse.pk,
            "to_warehouse": warehouse.pk,
            "quantity": 1,
        },
    )
    assert response.status_code == 400
    assert "to_warehouse" in response.json()["errors"]


def test_transfer_beyond_available_is_409(clerk, product, warehouse):
    other = WarehouseFactory()
    put_stock(product, warehouse, 1)
    response = clerk.post(
        "/api/v1/stock-transfers/",
        {
            "product": product.pk,
            "from_warehouse": warehouse.pk,
            "to_warehouse": other.pk,
            "quantity": 2,
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"


def test_count_posts_differences(clerk, product, warehouse):
    put_stock(product, warehouse, 10)
    response = clerk.post(
        "/api/v1/stock-counts/",
        {"warehouse": warehouse.pk, "lines": [{"product": product.pk, "counted_quantity": "12"}]},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["lines"] == [
        {
            "product": product.pk,
            "counted_quantity": "12.000",
            "expected_quantity": "10.000",
            "difference": "2.000",
        }
    ]
    assert [(m["kind"], m["quantity"]) for m in body["movements"]] == [("count", "2.000")]


def test_count_with_nested_errors_names_the_line(clerk, product, warehouse):
    response = clerk.post(
        "/api/v1/stock-counts/",
        {"warehouse": warehouse.pk, "lines": [{"product": product.pk, "counted_quantity": "-1"}]},
    )
    assert response.status_code == 400
    assert "lines.0.counted_quantity" in response.json()["errors"]


def test_movements_are_cursor_paginated_newest_first_and_filterable(clerk, product, warehouse):
    put_stock(product, warehouse, 10)
    for _ in range(3):
        services.stock_adjust(product=product, warehouse=warehouse, quantity=D("-1"), reason="x")
    page = clerk.get(f"/api/v1/stock-movements/?product={product.pk}&page_size=2").json()
    assert set(page) == {"next", "previous", "results"}
    assert len(page["results"]) == 2
    ids = [m["id"] for m in page["results"]]
    assert ids == sorted(ids, reverse=True)
    rest = clerk.get(page["next"]).json()
    assert len(rest["results"]) == 2
    kinds = clerk.get("/api/v1/stock-movements/?kind=adjustment").json()["results"]
    assert len(kinds) == 4


def test_the_ledger_has_no_write_path(admin_client, product, warehouse):
    put_stock(product, warehouse, 1)
    movement = StockMovement.objects.get()
    url = f"/api/v1/stock-movements/{movement.pk}/"
    assert admin_client.delete(url).status_code == 405
    assert admin_client.patch(url, {"quantity": "5"}).status_code == 405
    assert admin_client.post("/api/v1/stock-movements/", {}).status_code == 405


def test_below_reorder_point_filter(clerk, warehouse):
    low, high, untracked = (
        ProductFactory(reorder_point=D("5")),
        ProductFactory(reorder_point=D("5")),
        ProductFactory(reorder_point=D("0")),
    )
    put_stock(low, warehouse, 6)
    services.stock_reserve(
        lines=[StockLine(low.pk, warehouse.pk, D("2"))], reference=Reference("sales_order", 1)
    )
    put_stock(high, warehouse, 9)
    put_stock(untracked, warehouse, 1)
    rows = clerk.get("/api/v1/stock-levels/?below_reorder_point=true").json()["results"]
    assert [row["product"] for row in rows] == [low.pk]
    assert rows[0]["available"] == "4.000"
    others = clerk.get("/api/v1/stock-levels/?below_reorder_point=false").json()["results"]
    assert {row["product"] for row in others} == {high.pk, untracked.pk}


def test_stock_level_list_runs_a_fixed_number_of_queries(
    clerk, warehouse, django_assert_max_num_queries
):
    for _ in range(15):
        put_stock(ProductFactory(), warehouse, 3)
    with django_assert_max_num_queries(4):
        response = clerk.get("/api/v1/stock-levels/?page_size=100")
    assert response.json()["count"] == 15


def test_movement_list_runs_a_fixed_number_of_queries(
    clerk, warehouse, django_assert_max_num_queries
):
    for _ in range(15):
        put_stock(ProductFactory(), warehouse, 3)
    with django_assert_max_num_queries(4):
        response = clerk.get("/api/v1/stock-movements/?page_size=100")
    assert len(response.json()["results"]) == 15


@pytest.mark.parametrize("role", [Role.SALES, Role.PURCHASING, Role.VIEWER])
def test_only_warehouse_manager_and_admin_move_stock(client_for, role, product, warehouse):
    client = client_for(role)
    body = {"product": product.pk, "warehouse": warehouse.pk, "quantity": "1", "reason": "x"}
    assert client.post("/api/v1/stock-adjustments/", body).status_code == 403
    assert client.get("/api/v1/stock-levels/").status_code == 200


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.MANAGER, Role.ADMIN])
def test_stock_movers(client_for, role, product, warehouse):
    body = {"product": product.pk, "warehouse": warehouse.pk, "quantity": "1", "reason": "found"}
    assert client_for(role).post("/api/v1/stock-adjustments/", body).status_code == 201


@pytest.mark.parametrize("role", [Role.SALES, Role.PURCHASING, Role.WAREHOUSE, Role.VIEWER])
def test_only_managers_create_warehouses(client_for, role):
    response = client_for(role).post("/api/v1/warehouses/", {"code": "X", "name": "X"})
    assert response.status_code == 403


def test_warehouse_crud_with_etag(client_for):
    manager = client_for(Role.MANAGER)
    created = manager.post("/api/v1/warehouses/", {"code": "EAST", "name": "East"})
    assert created.status_code == 201
    url = f"/api/v1/warehouses/{created.json()['id']}/"
    etag = manager.get(url)["ETag"]
    assert manager.patch(url, {"name": "East side"}, HTTP_IF_MATCH=etag).status_code == 200
    stale = manager.patch(url, {"name": "Again"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert manager.get(url).json()["name"] == "East side"
    duplicate = manager.post("/api/v1/warehouses/", {"code": "east", "name": "Dup"})
    assert duplicate.status_code == 400
    assert manager.delete(url).status_code == 204


def test_a_warehouse_with_stock_history_cannot_be_deleted(client_for, product, warehouse):
    put_stock(product, warehouse, 1)
    response = client_for(Role.MANAGER).delete(f"/api/v1/warehouses/{warehouse.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Warehouse.objects.filter(pk=warehouse.pk).exists()


def test_inactive_warehouses_take_no_stock(clerk, product):
    closed = WarehouseFactory(is_active=False)
    response = clerk.post(
        "/api/v1/stock-adjustments/",
        {"product": product.pk, "warehouse": closed.pk, "quantity": "1", "reason": "x"},
    )
    assert response.status_code == 400
    assert "warehouse" in response.json()["errors"]


@pytest.mark.postgres  # elsewhere the writes go one statement at a time
def test_an_adjustment_holds_its_lock_for_one_round_trip(
    clerk, product, warehouse, django_assert_num_queries
):
    put_stock(product, warehouse, 10)
    body = {"product": product.pk, "warehouse": warehouse.pk, "quantity": "-1", "reason": "x"}
    # auth user + roles, product + warehouse validation, savepoint, lock, the writes,
    # release: no units read for a whole quantity, nothing re-read after the write.
    with django_assert_num_queries(8) as queries:
        assert clerk.post("/api/v1/stock-adjustments/", body).status_code == 201
    locked = [query["sql"] for query in queries.captured_queries[-3:]]
    assert "FOR UPDATE" in locked[0]
    assert "RELEASE SAVEPOINT" in locked[2]
    writes = locked[1]  # the level, the outbox event and the movement in one round trip
    assert [writes.count(f"{verb} {table}") for verb, table in WRITES] == [1, 1, 1]


WRITES = [
    ("UPDATE", '"inventory_stocklevel"'),
    ("INSERT INTO", '"events_event"'),
    ("INSERT INTO", '"inventory_stockmovement"'),
]
