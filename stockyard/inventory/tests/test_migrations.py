"""Data migrations of inventory, forward and backward (django-test-migrations)."""

import pytest
from django.db import connection

TRIGGER = "inventory_stockmovement_append_only"


def _ledger_is_append_only() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = %s", [TRIGGER])
        return cursor.fetchone()[0] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_0002_stock_movement_append_only_trigger_forward_and_backward(migrator):
    migrator.apply_initial_migration(("inventory", "0001_initial"))
    assert not _ledger_is_append_only()

    migrator.apply_tested_migration(("inventory", "0002_stock_movement_append_only_trigger"))
    assert _ledger_is_append_only()

    migrator.apply_tested_migration(("inventory", "0001_initial"))
    assert not _ledger_is_append_only()
    migrator.reset()


def _low_index_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'stock_level_low_idx'")
        return cursor.fetchone()[0] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_0006_copy_reorder_points_forward_and_backward(migrator):
    old = migrator.apply_initial_migration(("inventory", "0005_stocklevel_reorder_point"))
    Product = old.apps.get_model("catalog", "Product")
    Warehouse = old.apps.get_model("inventory", "Warehouse")
    StockLevel = old.apps.get_model("inventory", "StockLevel")
    warehouse = Warehouse.objects.create(code="MAIN", name="Main")
    for sku, point in (("BOLT", 7), ("ROPE", 0)):
        product = Product.objects.create(sku=sku, name=sku, unit_id="pcs", reorder_point=point)
        StockLevel.objects.create(product=product, warehouse=warehouse, on_hand=3)
    assert set(StockLevel.objects.values_list("reorder_point", flat=True)) == {0}
    assert not _low_index_exists()

    new = migrator.apply_tested_migration(("inventory", "0006_copy_reorder_points"))
    StockLevel = new.apps.get_model("inventory", "StockLevel")
    copied = dict(StockLevel.objects.values_list("product__sku", "reorder_point"))
    assert copied == {"BOLT": 7, "ROPE": 0}
    assert _low_index_exists()

    migrator.apply_tested_migration(("inventory", "0005_stocklevel_reorder_point"))
    assert not _low_index_exists()
    migrator.reset()


def _gap_statistics_exist() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_statistic_ext WHERE stxname = 'stock_level_gap_stats'"
        )
        return cursor.fetchone()[0] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_0007_stock_level_gap_statistics_forward_and_backward(migrator):
    migrator.apply_initial_migration(("inventory", "0006_copy_reorder_points"))
    assert not _gap_statistics_exist()

    migrator.apply_tested_migration(("inventory", "0007_stock_level_gap_statistics"))
    assert _gap_statistics_exist()

    migrator.apply_tested_migration(("inventory", "0006_copy_reorder_points"))
    assert not _gap_statistics_exist()
    migrator.reset()


def _sort_index_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'stock_level_sort_idx'")
        return cursor.fetchone()[0] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_0009_copy_sort_keys_forward_and_backward(migrator):
    old = migrator.apply_initial_migration(("inventory", "0008_stocklevel_sort_keys"))
    Product = old.apps.get_model("catalog", "Product")
    Warehouse = old.apps.get_model("inventory", "Warehouse")
    StockLevel = old.apps.get_model("inventory", "StockLevel")
    north, south = (Warehouse.objects.create(code=code, name=code) for code in ("N", "S"))
    for sku in ("BOLT", "ROPE"):
        product = Product.objects.create(sku=sku, name=sku, unit_id="pcs")
        for warehouse in (north, south):
            StockLevel.objects.create(product=product, warehouse=warehouse, on_hand=3)
    assert set(StockLevel.objects.values_list("product_sku", "warehouse_code")) == {("", "")}
    assert not _sort_index_exists()

    new = migrator.apply_tested_migration(("inventory", "0009_copy_sort_keys"))
    StockLevel = new.apps.get_model("inventory", "StockLevel")
    assert sorted(StockLevel.objects.values_list("product_sku", "warehouse_code")) == [
        ("BOLT", "N"),
        ("BOLT", "S"),
        ("ROPE", "N"),
        ("ROPE", "S"),
    ]
    assert all(
        (level.product_sku, level.warehouse_code) == (level.product.sku, level.warehouse.code)
        for level in StockLevel.objects.select_related("product", "warehouse")
    )
    assert _sort_index_exists()

    migrator.apply_tested_migration(("inventory", "0008_stocklevel_sort_keys"))
    assert not _sort_index_exists()
    migrator.reset()
