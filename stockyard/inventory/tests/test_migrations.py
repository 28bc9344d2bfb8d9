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
