# Copies of the product's SKU and the warehouse's code on each level, the levels' default
# order (docs/scaling.md, "Deep pages"): added with a database default, so the previous
# release, which does not write them, keeps working (policy 1); 0009 copies them and
# indexes the order. The history leaves them out: a level's history is its stock.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0007_track_units_and_exchange_rates'),
        ('inventory', '0007_stock_level_gap_statistics'),
    ]

    operations = [
        migrations.AddField(
            model_name='stocklevel',
            name='product_sku',
            field=models.CharField(db_default='', default='', editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='stocklevel',
            name='warehouse_code',
            field=models.CharField(db_default='', default='', editable=False, max_length=32),
        ),
    ]
