"""Positions for the events written before the feed existed, in id order (they all
committed long ago), so that the first requests after a deploy do not sequence the
whole history while holding the sequencer lock."""

from django.db import migrations

SEQUENCE_ALL = """
UPDATE events_event SET position = numbered.position
FROM (
    SELECT id,
           (SELECT COALESCE(MAX(position), 0) FROM events_event)
           + ROW_NUMBER() OVER (ORDER BY id) AS position
    FROM events_event
    WHERE position IS NULL
) AS numbered
WHERE events_event.id = numbered.id
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0003_webhooks")]

    operations = [migrations.RunSQL(SEQUENCE_ALL, reverse_sql=migrations.RunSQL.noop)]
