"""Partners' email, phone, tax id and bank account are encrypted at rest, never leak into
events, and survive a key rotation."""

import os
import shutil
import subprocess
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from stockyard.partners import services
from stockyard.partners.models import Customer, Supplier
from stockyard.partners.tests.factories import CustomerFactory, SupplierFactory

SECRETS: services.SupplierDetails = {
    "email": "treasurer@secret-supplier.example",
    "phone": "+49 30 901820-77",
    "tax_id": "DE-TAX-813579",
    "bank_account": "DE89 3704 0044 0532 0130 00",
}
CUSTOMER_SECRETS: services.CustomerDetails = {
    "email": "ap@secret-customer.example",
    "phone": "+33 1 4020 5060",
    "tax_id": "FR-TAX-246802",
}
PLAINTEXTS = [*SECRETS.values(), *CUSTOMER_SECRETS.values()]


def make_partners() -> tuple[Supplier, Customer]:
    """Through the services, so their events are in the outbox too."""
    supplier = services.supplier_create(code="SUP-SECRET", name="Secretive Supplies", **SECRETS)
    customer = services.customer_create(
        code="CUS-SECRET", name="Discreet Customer", **CUSTOMER_SECRETS
    )
    services.supplier_update(supplier=supplier, phone=SECRETS["phone"])
    return supplier, customer


def raw_rows(sql: str) -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.mark.django_db
def test_columns_hold_fernet_tokens_not_plaintext():
    make_partners()
    [(name, *stored)] = raw_rows(
        "SELECT name, email, phone, tax_id, bank_account FROM partners_supplier"
    )
    assert name == "Secretive Supplies"
    assert all(value.startswith("fernet:") for value in stored)
    assert not set(stored) & set(PLAINTEXTS)


@pytest.mark.django_db
def test_equal_plaintexts_give_different_ciphertexts():
    SupplierFactory(tax_id="SAME"), SupplierFactory(tax_id="SAME")
    [(first,), (second,)] = raw_rows("SELECT tax_id FROM partners_supplier")
    assert first != second


@pytest.mark.django_db
def test_empty_values_stay_empty():
    SupplierFactory(email="", bank_account="")
    assert raw_rows("SELECT email, bank_account FROM partners_supplier") == [("", "")]


@pytest.mark.django_db
def test_events_carry_no_encrypted_value(emitted):
    make_partners()
    assert {event["type"] for event in emitted()} == {
        "supplier.created",
        "supplier.updated",
        "customer.created",
    }
    stored = " ".join(data for (data,) in raw_rows("SELECT data FROM events_event"))
    assert "Secretive Supplies" in stored
    assert not [secret for secret in PLAINTEXTS if secret in stored]


@pytest.mark.django_db
def test_the_api_returns_plaintext_to_users_allowed_to_read_partners(admin_client):
    supplier, customer = make_partners()
    supplier_body = admin_client.get(f"/api/v1/suppliers/{supplier.pk}/").json()
    assert {key: supplier_body[key] for key in SECRETS} == SECRETS
    customer_body = admin_client.get(f"/api/v1/customers/{customer.pk}/").json()
    assert {key: customer_body[key] for key in CUSTOMER_SECRETS} == CUSTOMER_SECRETS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_plaintext():
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    make_partners()
    db = connection.settings_dict
    command = ["pg_dump", "--data-only", "--dbname", db["NAME"]]
    for option, key in [("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")]:
        if db.get(key):
            command += [option, str(db[key])]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    dump = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout

    assert "Secretive Supplies" in dump and "Discreet Customer" in dump
    assert "supplier.created" in dump  # the outbox table is in the dump too
    assert not [secret for secret in PLAINTEXTS if secret in dump]


@pytest.mark.django_db
def test_rotation_moves_every_value_to_the_first_key(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    suppliers = {supplier.pk: supplier.tax_id for supplier in SupplierFactory.create_batch(5)}
    customer = CustomerFactory(**CUSTOMER_SECRETS)
    CustomerFactory(email="", phone="", tax_id="")

    settings.FIELD_ENCRYPTION_KEYS = [new]
    with pytest.raises(ImproperlyConfigured):
        list(Supplier.objects.all())  # the test is meaningful: the new key alone cannot read
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("rotate_encryption_keys", stdout=StringIO())

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_encryption_keys", "--batch-size", "2", stdout=out)
    assert "partners.Supplier: 5 rows re-encrypted" in out.getvalue()
    assert "partners.Customer: 2 rows re-encrypted" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert {supplier.pk: supplier.tax_id for supplier in Supplier.objects.all()} == suppliers
    rotated = Customer.objects.get(pk=customer.pk)
    assert {key: getattr(rotated, key) for key in CUSTOMER_SECRETS} == CUSTOMER_SECRETS
