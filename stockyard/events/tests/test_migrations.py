"""Data migrations of events, forward and backward (django-test-migrations)."""

import pytest
from django.utils import timezone


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_0004_sequence_existing_events_forward_and_backward(migrator):
    before = migrator.apply_initial_migration(("events", "0003_webhooks"))
    Event = before.apps.get_model("events", "Event")
    now = timezone.now()
    ids = [Event.objects.create(type="product.created", occurred_at=now, data={}).pk for _ in "abc"]
    assert not Event.objects.filter(position__isnull=False).exists()

    after = migrator.apply_tested_migration(("events", "0004_sequence_existing_events"))
    positions = after.apps.get_model("events", "Event").objects.order_by("id")
    assert [(e.pk, e.position) for e in positions] == list(zip(ids, [1, 2, 3], strict=True))

    reverted = migrator.apply_tested_migration(("events", "0003_webhooks"))
    assert reverted.apps.get_model("events", "Event").objects.count() == 3  # positions stay
    migrator.reset()
