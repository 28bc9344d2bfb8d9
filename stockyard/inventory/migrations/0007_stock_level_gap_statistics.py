"""On PostgreSQL, statistics of how far each level's available stock is above its reorder
point (``inventory.models.STOCK_GAP``), so the planner estimates how many levels are low
from their real distribution (2 % at the scale benchmark's large size) instead of a third,
its guess for a comparison of two columns, and reads them from ``stock_level_low_idx``.
ANALYZE fills them now (a levels table is products x warehouses, not history); it blocks
no reader or writer."""

from django.db import migrations

CREATE = """
CREATE STATISTICS IF NOT EXISTS stock_level_gap_stats
    ON ((on_hand - reserved) - reorder_point) FROM inventory_stocklevel;
ANALYZE inventory_stocklevel;
"""

DROP = "DROP STATISTICS IF EXISTS stock_level_gap_stats"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0006_copy_reorder_points")]

    operations = [migrations.RunPython(forwards, backwards)]
