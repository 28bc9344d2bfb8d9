from decimal import Decimal

import pytest
from django.db import transaction

from stockyard.events.models import Event
from stockyard.events.services import publish


@pytest.mark.django_db(transaction=True)
def test_publish_records_the_event_with_json_safe_data():
    with transaction.atomic():
        event = publish("product.created", {"id": 1, "price": Decimal("9.99")})
    stored = Event.objects.get(pk=event.pk)
    assert stored.type == "product.created"
    assert stored.data == {"id": 1, "price": "9.99"}
    assert stored.as_message()["id"] == event.pk


@pytest.mark.django_db(transaction=True)
def test_an_event_rolls_back_with_its_change():
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("product.created", {"id": 1})
        raise RuntimeError("the change failed")
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_publish_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="transaction"):
        publish("product.created", {"id": 1})
