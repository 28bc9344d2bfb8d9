"""Data migrations of accounts, forward and backward (django-test-migrations)."""

import pytest

ROLE_GROUPS = {"admin", "manager", "purchasing", "sales", "warehouse", "viewer"}


@pytest.mark.django_db(transaction=True)
def test_0002_create_role_groups_forward_and_backward(migrator):
    before = migrator.apply_initial_migration(("accounts", "0001_initial"))
    assert not before.apps.get_model("auth", "Group").objects.exists()

    after = migrator.apply_tested_migration(("accounts", "0002_create_role_groups"))
    groups = after.apps.get_model("auth", "Group").objects.values_list("name", flat=True)
    assert set(groups) == ROLE_GROUPS

    reverted = migrator.apply_tested_migration(("accounts", "0001_initial"))
    assert not reverted.apps.get_model("auth", "Group").objects.exists()
    migrator.reset()
