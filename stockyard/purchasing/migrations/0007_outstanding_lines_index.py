# Built concurrently: purchase-order lines are a big table, and a plain CREATE INDEX would
# hold their writes for as long as it takes (docs/deployment.md, policy 4).
# (On SQLite, for development, a plain index.)

from django.db import migrations, models

from stockyard.core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("purchasing", "0006_currency_amounts_exchange_rates"),
    ]

    operations = [
        AddIndexOnline(
            model_name="purchaseorderline",
            index=models.Index(
                condition=models.Q(("quantity_received__lt", models.F("quantity"))),
                fields=["order"],
                include=("product", "quantity", "quantity_received"),
                name="purchase_line_outstanding_idx",
            ),
        ),
    ]
