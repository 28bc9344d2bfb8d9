import pytest

from stockyard.events.models import Event
from stockyard.partners import demo
from stockyard.partners.models import Customer, Supplier

pytestmark = pytest.mark.django_db


def test_seed_makes_suppliers_and_customers_once():
    assert demo.seed() == ["Partners: 5 suppliers (5 created), 8 customers (8 created)"]
    assert (Supplier.objects.count(), Customer.objects.count()) == (5, 8)
    assert Event.objects.filter(type__in=["supplier.created", "customer.created"]).count() == 13
    assert Supplier.objects.get(code="SUP-ACME").email == "orders@acme-industrial.example"

    events = Event.objects.count()
    assert demo.seed() == ["Partners: 5 suppliers (0 created), 8 customers (0 created)"]
    assert (Supplier.objects.count(), Customer.objects.count(), Event.objects.count()) == (
        5,
        8,
        events,
    )
