from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.partners import services
from stockyard.partners.models import Customer, Supplier
from stockyard.partners.tests.factories import CustomerFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_supplier_create_saves_and_publishes_public_fields_only(emitted):
    supplier = services.supplier_create(
        code="SUP-1",
        name="Acme",
        email="orders@acme.example",
        phone="+1 555 0101",
        tax_id="36-4567890",
        bank_account="US12 3456",
        lead_time_days=4,
    )
    supplier.refresh_from_db()
    assert (supplier.email, supplier.bank_account) == ("orders@acme.example", "US12 3456")
    [event] = emitted("supplier.created")
    assert event["data"] == {
        "id": supplier.pk,
        "code": "SUP-1",
        "name": "Acme",
        "currency": "USD",
        "lead_time_days": 4,
        "is_active": True,
    }


def test_customer_update_changes_fields_and_publishes(emitted):
    customer = CustomerFactory(credit_limit=None)
    services.customer_update(customer=customer, credit_limit=Decimal("5000.00"), name="Renamed")
    customer.refresh_from_db()
    assert (customer.name, customer.credit_limit) == ("Renamed", Decimal("5000.00"))
    [event] = emitted("customer.updated")
    assert event["data"]["credit_limit"] == "5000.00"
    assert set(event["data"]) == {"id", "code", "name", "currency", "credit_limit", "is_active"}


def test_codes_are_unique_per_kind_of_partner():
    SupplierFactory(code="P-1")
    with pytest.raises(errors.ValidationFailed) as refused:
        services.supplier_create(code="P-1", name="Twin")
    assert list(refused.value.errors) == ["code"]
    # A customer is another namespace.
    assert services.customer_create(code="P-1", name="Also P-1").pk


def test_update_may_keep_its_own_code_but_not_take_another():
    first, second = CustomerFactory(code="C-1"), CustomerFactory(code="C-2")
    services.customer_update(customer=first, code="C-1", name="Same code")
    with pytest.raises(errors.ValidationFailed):
        services.customer_update(customer=second, code="C-1")


def test_deleting_an_unreferenced_partner_publishes_deleted(emitted):
    supplier = SupplierFactory()
    pk = supplier.pk
    services.supplier_delete(supplier=supplier)
    assert not Supplier.objects.filter(pk=pk).exists()
    assert emitted("supplier.deleted")[0]["data"]["id"] == pk


def test_a_supplier_that_products_refer_to_cannot_be_deleted(emitted):
    product = ProductFactory()
    with pytest.raises(errors.Conflict):
        services.supplier_delete(supplier=product.supplier)
    assert Supplier.objects.filter(pk=product.supplier_id).exists()
    assert not emitted("supplier.deleted")


def test_customer_delete(emitted):
    customer = CustomerFactory()
    services.customer_delete(customer=customer)
    assert not Customer.objects.exists()
    assert len(emitted("customer.deleted")) == 1
