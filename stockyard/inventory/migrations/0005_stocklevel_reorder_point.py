# A copy of the product's reorder point on each level (docs/scaling.md, "Low stock"):
# added with a database default, so the previous release, which does not write it, keeps
# working (policy 1); 0006 copies the products' points and indexes the low levels. Its
# history trigger leaves the copy out: a level's history is its stock.

import pgtrigger.compiler
import pgtrigger.migrations
import stockyard.core.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0007_track_units_and_exchange_rates'),
        ('inventory', '0004_backorders'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='stocklevel',
            name='update_update',
        ),
        migrations.AddField(
            model_name='stocklevel',
            name='reorder_point',
            field=stockyard.core.models.QuantityField(db_default=0, decimal_places=3, default=0, editable=False, max_digits=15),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='stocklevel',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."average_cost" IS DISTINCT FROM (NEW."average_cost") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."on_hand" IS DISTINCT FROM (NEW."on_hand") OR OLD."product_id" IS DISTINCT FROM (NEW."product_id") OR OLD."reserved" IS DISTINCT FROM (NEW."reserved") OR OLD."updated_at" IS DISTINCT FROM (NEW."updated_at") OR OLD."warehouse_id" IS DISTINCT FROM (NEW."warehouse_id"))', func='INSERT INTO "inventory_stocklevelevent" ("average_cost", "id", "on_hand", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "product_id", "reserved", "updated_at", "warehouse_id") VALUES (NEW."average_cost", NEW."id", NEW."on_hand", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'update\', NEW."id", NEW."product_id", NEW."reserved", NEW."updated_at", NEW."warehouse_id"); RETURN NULL;', hash='6740ed60fbb089832e2c8e4d7f27790899f5bd47', operation='UPDATE', pgid='pgtrigger_update_update_22677', table='inventory_stocklevel', when='AFTER')),
        ),
    ]
