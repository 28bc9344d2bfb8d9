# What is on order per product and warehouse, kept by the purchasing services
# (purchasing.on_order). A new table (docs/deployment.md, policy 1), filled here from the
# open orders' outstanding lines: one INSERT ... SELECT over a few thousand lines found by
# the orders' status index (not history), so a data migration, not a backfill (policy
# 5). The previous release, still running during the deploy, does not keep it: what it
# changes meanwhile is counted by `manage.py recount_on_order` once no pod of it is left.

import django.db.models.deletion
import stockyard.core.models
from django.db import migrations, models

FILL = """
INSERT INTO purchasing_onorder (product_id, warehouse_id, quantity)
SELECT l.product_id, o.warehouse_id, SUM(l.quantity - l.quantity_received)
FROM purchasing_purchaseorderline l JOIN purchasing_purchaseorder o ON o.id = l.order_id
WHERE o.status IN ('draft', 'submitted', 'partially_received')
  AND l.quantity_received < l.quantity
GROUP BY l.product_id, o.warehouse_id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0007_track_units_and_exchange_rates'),
        ('inventory', '0006_copy_reorder_points'),
        ('purchasing', '0007_outstanding_lines_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='OnOrder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('quantity', stockyard.core.models.QuantityField(decimal_places=3, max_digits=15)),
                ('product', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.product')),
                ('warehouse', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='inventory.warehouse')),
                ('level', models.ForeignObject(from_fields=['product', 'warehouse'], null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='on_order', to='inventory.stocklevel', to_fields=['product', 'warehouse'])),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('product', 'warehouse'), name='on_order_unique')],
            },
        ),
        migrations.RunSQL(FILL, "DELETE FROM purchasing_onorder"),
    ]
