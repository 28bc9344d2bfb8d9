"""Stock levels carry copies of their product's SKU and their warehouse's code (their
default order, ``inventory.models.SORT_KEY``): kept by every write that changes either,
and the list's pages in the same order as by the product and warehouse themselves."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from stockyard.accounts.roles import Role
from stockyard.catalog import services as catalog
from stockyard.catalog.models import Product
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import pagination
from stockyard.inventory import services
from stockyard.inventory.models import LOW_STOCK, StockLevel, Warehouse
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock

pytestmark = pytest.mark.django_db

LEVELS = "/api/v1/stock-levels/"


def copies() -> dict[tuple[int, int], tuple[str, str]]:
    return {
        (level.product_id, level.warehouse_id): (level.product_sku, level.warehouse_code)
        for level in StockLevel.objects.all()
    }


def originals() -> dict[tuple[int, int], tuple[str, str]]:
    return {
        (level.product_id, level.warehouse_id): (level.product.sku, level.warehouse.code)
        for level in StockLevel.objects.select_related("product", "warehouse")
    }


def test_a_new_level_copies_its_products_sku_and_its_warehouses_code():
    product, warehouse = ProductFactory(sku="BOLT-7"), WarehouseFactory(code="NORTH")
    put_stock(product, warehouse, 3)
    assert copies() == {(product.pk, warehouse.pk): ("BOLT-7", "NORTH")}


def test_a_sku_renamed_is_copied_to_the_products_levels():
    product, other = ProductFactory(sku="BOLT-1"), ProductFactory(sku="NUT-1")
    for warehouse in (WarehouseFactory(), WarehouseFactory()):
        put_stock(product, warehouse, 1)
        put_stock(other, warehouse, 1)
    catalog.product_update(product=product, sku="ANCHOR-1")
    assert {sku for sku, _ in copies().values()} == {"ANCHOR-1", "NUT-1"}
    catalog.product_update(product=product, name="Renamed, same SKU")
    catalog.product_update(product=product, sku="anchor-1", reorder_point=Decimal(4))
    assert copies() == originals()
    assert set(StockLevel.objects.filter(product=product).values_list("reorder_point", flat=True))
    assert {sku for sku, _ in copies().values()} == {"anchor-1", "NUT-1"}


def test_a_sku_renamed_over_http_moves_its_levels_in_the_list(client_for):
    manager = client_for(Role.ADMIN)
    warehouse = WarehouseFactory()
    first, last = ProductFactory(sku="A-1"), ProductFactory(sku="B-1")
    for product in (first, last):
        put_stock(product, warehouse, 1)
    assert manager.patch(f"/api/v1/products/{first.pk}/", {"sku": "C-1"}).status_code == 200
    rows = manager.get(LEVELS).json()["results"]
    assert [row["product_sku"] for row in rows] == ["B-1", "C-1"]


def test_a_warehouse_code_changed_is_copied_to_its_levels(client_for):
    product = ProductFactory()
    north, south = WarehouseFactory(code="NORTH"), WarehouseFactory(code="SOUTH")
    for warehouse in (north, south):
        put_stock(product, warehouse, 1)
    services.warehouse_update(warehouse=north, code="ZNORTH")
    assert copies() == originals()
    manager = client_for(Role.ADMIN)
    response = manager.patch(f"/api/v1/warehouses/{south.pk}/", {"code": "ASOUTH"})
    assert response.status_code == 200
    assert copies() == originals()
    codes = [row["warehouse_code"] for row in manager.get(LEVELS).json()["results"]]
    assert codes == ["ASOUTH", "ZNORTH"]


def test_a_warehouse_changed_in_the_admin_goes_through_the_service(client, make_user, emitted):
    warehouse = WarehouseFactory(code="EAST", name="East")
    put_stock(ProductFactory(), warehouse, 1)
    client.force_login(make_user(Role.ADMIN))
    response = client.post(
        f"/admin/inventory/warehouse/{warehouse.pk}/change/",
        {"code": "WEST", "name": "West", "address": "", "is_active": "on"},
    )
    assert response.status_code == 302
    assert copies() == originals()
    assert Warehouse.objects.get(pk=warehouse.pk).code == "WEST"
    assert emitted("warehouse.updated")[-1]["data"]["code"] == "WEST"
    added = client.post(
        "/admin/inventory/warehouse/add/",
        {"code": "DOCK", "name": "Dock", "address": "", "is_active": "on"},
    )
    assert added.status_code == 302
    assert emitted("warehouse.created")[-1]["data"]["code"] == "DOCK"


def _scrambled_levels():
    """Levels whose ids follow neither SKU nor warehouse code; the expected order."""
    warehouses = [WarehouseFactory(code=code) for code in ("W-C", "W-A", "W-B")]
    products = [ProductFactory(sku=sku) for sku in ("P-3", "P-1", "p-0", "P-2")]
    for warehouse in warehouses:
        for product in products:
            put_stock(product, warehouse, 1)
    catalog.product_update(product=products[0], sku="P-0.5")  # moves after the ids
    return sorted(originals().values())


@pytest.mark.parametrize("shallow_rows", [pagination.SHALLOW_ROWS, 0])
def test_pages_are_in_sku_then_code_order_as_by_the_originals(
    client_for, monkeypatch, shallow_rows
):
    """Every page, from the start or (deep pages) by their ids first and from the end."""
    monkeypatch.setattr(pagination, "SHALLOW_ROWS", shallow_rows)
    expected = _scrambled_levels()
    by_originals = [
        (level.product.sku, level.warehouse.code)
        for level in StockLevel.objects.select_related("product", "warehouse").order_by(
            "product__sku", "warehouse__code"
        )
    ]
    assert by_originals == expected  # the copies order as the originals do
    viewer = client_for(Role.VIEWER)
    seen = []
    for page in range(1, 4):
        body = viewer.get(LEVELS, {"page": page, "page_size": 5}).json()
        assert body["count"] == 12
        seen += [(row["product_sku"], row["warehouse_code"]) for row in body["results"]]
    assert seen == expected
    assert viewer.get(LEVELS, {"page": 4, "page_size": 5}).status_code == 404


def test_filters_search_and_ordering_keep_working(client_for):
    expected = _scrambled_levels()
    viewer = client_for(Role.VIEWER)
    warehouse = Warehouse.objects.get(code="W-B")
    product = Product.objects.get(sku="P-2")

    def keys(**query: object) -> list[tuple[str, str]]:
        rows = viewer.get(LEVELS, query).json()["results"]
        return [(row["product_sku"], row["warehouse_code"]) for row in rows]

    assert keys(warehouse=warehouse.pk) == [key for key in expected if key[1] == "W-B"]
    assert keys(product=product.pk) == [key for key in expected if key[0] == "P-2"]
    assert keys(search="p-0") == [key for key in expected if "p-0" in key[0].lower()]
    catalog.product_update(product=product, reorder_point=Decimal(0))  # not low any more
    low = set(StockLevel.objects.filter(LOW_STOCK).values_list("product_sku", "warehouse_code"))
    assert ("P-2", "W-B") not in low
    assert len(low) == 9
    assert keys(below_reorder_point="true") == [key for key in expected if key in low]
    assert keys(below_reorder_point="false") == [key for key in expected if key not in low]
    assert len(keys(ordering="-on_hand")) == 12


def test_a_deep_page_runs_a_fixed_number_of_queries(
    client_for, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(pagination, "SHALLOW_ROWS", 0)
    _scrambled_levels()
    viewer = client_for(Role.VIEWER)
    viewer.get(LEVELS, {"page": 2, "page_size": 4})  # warm up
    with django_assert_max_num_queries(5):  # user, count, the page's ids, its rows
        response = viewer.get(LEVELS, {"page": 2, "page_size": 4})
    assert len(response.json()["results"]) == 4


def test_copy_sort_keys_mends_what_the_previous_release_left(capsys):
    """Levels it created (default '') and SKUs and codes it changed without their
    levels: all copied, in batches; a second run changes nothing."""
    warehouses = [WarehouseFactory() for _ in range(3)]
    products = [ProductFactory() for _ in range(2)]
    for product in products:
        for warehouse in warehouses:
            put_stock(product, warehouse, 1)
    StockLevel.objects.filter(product=products[0]).update(product_sku="", warehouse_code="")
    Product.objects.filter(pk=products[1].pk).update(sku="RENAMED")
    Warehouse.objects.filter(pk=warehouses[2].pk).update(code="MOVED")

    call_command("copy_sort_keys", "--batch-size", "2")

    assert "copied to 6 level(s)" in capsys.readouterr().out
    assert copies() == originals()
    call_command("copy_sort_keys")
    assert "copied to 0 level(s)" in capsys.readouterr().out


def test_reorder_suggestions_name_the_product_and_warehouse_not_the_levels_copies(client_for):
    """Until ``copy_sort_keys`` runs after a rolling deploy, a level the previous release
    created has empty copies: the suggestions (and the low-stock report) still answer
    with the product's SKU and the warehouse's code, in their order."""
    warehouse = WarehouseFactory(code="EAST")
    stale, fresh = (ProductFactory(sku=sku, reorder_point=Decimal(5)) for sku in ("B-1", "A-1"))
    put_stock(stale, warehouse, 1)
    put_stock(fresh, warehouse, 1)
    StockLevel.objects.filter(product=stale).update(product_sku="", warehouse_code="")
    manager = client_for(Role.MANAGER)

    rows = manager.get("/api/v1/reorder-suggestions/").json()["results"]
    report = manager.get("/api/v1/reports/low-stock/").json()["rows"]

    assert [(row["product_sku"], row["warehouse_code"]) for row in rows] == [
        ("A-1", "EAST"),
        ("B-1", "EAST"),
    ]
    assert [(row["sku"], row["warehouse_code"]) for row in report] == [
        ("A-1", "EAST"),
        ("B-1", "EAST"),
    ]
