# Every level takes its product's SKU and its warehouse's code, in batches of BATCH
# levels, each its own short transaction (atomic = False), so writers wait at most for
# one batch; then the order's index is built concurrently (docs/deployment.md, policy 4).
# A level table is products x warehouses (50,000 rows at the scale benchmark's large
# size: seconds), not history. Levels created, SKUs and codes changed by the previous
# release while both run are copied again by `manage.py copy_sort_keys` after the deploy
# (idempotent). On PostgreSQL a VACUUM (ANALYZE) of the levels follows the copy (no
# transaction: atomic = False; it blocks no reader or writer): the copy rewrote every
# level, and the index-only scan the order's index is for reads only the table pages
# that VACUUM has marked all-visible (the others it visits in the table). Backward: the
# index goes, the copies stay (0008's backward drops them).

from django.db import migrations, models

from stockyard.core.migration_operations import AddIndexOnline

BATCH = 5_000

COPY = """
UPDATE inventory_stocklevel SET
    product_sku = (SELECT sku FROM catalog_product WHERE id = inventory_stocklevel.product_id),
    warehouse_code = (
        SELECT code FROM inventory_warehouse WHERE id = inventory_stocklevel.warehouse_id
    )
WHERE id > %s AND id <= %s
"""


def copy_sort_keys(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM inventory_stocklevel")
        (last,) = cursor.fetchone()
        for after in range(0, last, BATCH):
            cursor.execute(COPY, [after, after + BATCH])


def vacuum_levels(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("VACUUM (ANALYZE) inventory_stocklevel", params=None)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("inventory", "0008_stocklevel_sort_keys")]

    operations = [
        migrations.RunPython(copy_sort_keys, migrations.RunPython.noop),
        migrations.RunPython(vacuum_levels, migrations.RunPython.noop),
        AddIndexOnline(
            model_name="stocklevel",
            index=models.Index(
                fields=["product_sku", "warehouse_code", "id"], name="stock_level_sort_idx"
            ),
        ),
    ]
