"""Data migrations of accounts, forward and backward (django-test-migrations)."""

import hashlib

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


@pytest.mark.django_db(transaction=True)
def test_0005_digest_stored_refresh_tokens_forward_and_backward(migrator):
    from datetime import UTC, datetime

    before = migrator.apply_initial_migration(("accounts", "0004_user_token_epoch"))
    outstanding = before.apps.get_model("token_blacklist", "OutstandingToken")
    when = datetime(2026, 1, 1, tzinfo=UTC)
    outstanding.objects.create(
        jti="a", token="header.payload.sig", created_at=when, expires_at=when
    )

    after = migrator.apply_tested_migration(("accounts", "0005_digest_stored_refresh_tokens"))
    stored = after.apps.get_model("token_blacklist", "OutstandingToken").objects.get().token
    assert stored == "sha256:" + hashlib.sha256(b"header.payload.sig").hexdigest()

    reverted = migrator.apply_tested_migration(("accounts", "0004_user_token_epoch"))
    assert reverted.apps.get_model("token_blacklist", "OutstandingToken").objects.count() == 1
    migrator.reset()
