# What is on order for one low stock level: the outstanding lines by product. Built
# concurrently, like 0007 (docs/deployment.md, policy 4); on SQLite, a plain index.

from django.db import migrations, models

from stockyard.core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("purchasing", "0007_outstanding_lines_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="purchaseorderline",
            index=models.Index(
                condition=models.Q(("quantity_received__lt", models.F("quantity"))),
                fields=["product"],
                include=("order", "quantity", "quantity_received"),
                name="purchase_line_on_order_idx",
            ),
        ),
    ]
