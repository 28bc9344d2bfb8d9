# Every level takes its product's reorder point, in batches of BATCH levels, each its own
# short transaction (atomic = False), so writers wait at most for one batch; then the low
# levels' index is built concurrently (docs/deployment.md, policy 4). A level table is
# products x warehouses (50,000 rows at the scale benchmark's large size: seconds), not
# history. Levels created or products changed by the previous release while both run
# are copied again by `manage.py copy_reorder_points` after the deploy (idempotent).

import django.db.models.expressions
from django.db import migrations, models

from stockyard.core.migration_operations import AddIndexOnline

BATCH = 5_000

COPY = """
UPDATE inventory_stocklevel SET reorder_point = (
    SELECT reorder_point FROM catalog_product WHERE id = inventory_stocklevel.product_id
) WHERE id > %s AND id <= %s
"""


def copy_reorder_points(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM inventory_stocklevel")
        (last,) = cursor.fetchone()
        for after in range(0, last, BATCH):
            cursor.execute(COPY, [after, after + BATCH])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("inventory", "0005_stocklevel_reorder_point")]

    operations = [
        migrations.RunPython(copy_reorder_points, migrations.RunPython.noop),
        AddIndexOnline(
            model_name="stocklevel",
            index=models.Index(
                condition=models.Q(
                    (
                        "on_hand__lte",
                        django.db.models.expressions.CombinedExpression(
                            models.F("reserved"), "+", models.F("reorder_point")
                        ),
                    ),
                    ("reorder_point__gt", 0),
                ),
                fields=["product", "warehouse"],
                name="stock_level_low_idx",
            ),
        ),
    ]
