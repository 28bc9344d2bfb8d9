from decimal import Decimal

import pytest
from django.db import transaction

from stockyard.events.models import Event
from stockyard.events.services import publish, publish_many


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


@pytest.mark.django_db(transaction=True)
def test_publish_many_records_every_event_in_order_with_one_insert(django_assert_num_queries):
    with transaction.atomic(), django_assert_num_queries(1):
        events = publish_many(
            [("stock.changed", {"on_hand": Decimal("2.000")}), ("stock.changed", {"on_hand": 1})]
        )
    stored = list(Event.objects.order_by("id"))
    assert [event.pk for event in stored] == [event.pk for event in events]
    assert [event.data for event in stored] == [{"on_hand": "2.000"}, {"on_hand": 1}]


@pytest.mark.django_db(transaction=True)
def test_publish_many_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="transaction"):
        publish_many([("product.created", {"id": 1})])
    assert not Event.objects.exists()
