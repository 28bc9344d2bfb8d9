"""Writes on suppliers and customers.

Every write runs in one transaction and records its event in the outbox:
``supplier.created|updated|deleted`` and ``customer.created|updated|deleted``. Events carry
the partner's public fields only, never the contact and tax details encrypted at rest:
webhook targets and event consumers are outside the encryption boundary.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypedDict, TypeVar, Unpack

from django.db import transaction

from stockyard.core import errors
from stockyard.core.models import delete_unreferenced, save_unique
from stockyard.events.services import publish
from stockyard.partners.models import Customer, Partner, Supplier

P = TypeVar("P", Supplier, Customer)


class PartnerDetails(TypedDict, total=False):
    email: str
    phone: str
    tax_id: str
    currency: str
    is_active: bool


class SupplierDetails(PartnerDetails, total=False):
    address: str
    bank_account: str
    lead_time_days: int


class SupplierChanges(SupplierDetails, total=False):
    code: str
    name: str


class CustomerDetails(PartnerDetails, total=False):
    billing_address: str
    shipping_address: str
    credit_limit: Decimal | None


class CustomerChanges(CustomerDetails, total=False):
    code: str
    name: str


# What events may say about a partner: an allowlist, so a new encrypted field stays private.
_EVENT_FIELDS: dict[type[Partner], tuple[str, ...]] = {
    Supplier: ("id", "code", "name", "currency", "lead_time_days", "is_active"),
    Customer: ("id", "code", "name", "currency", "credit_limit", "is_active"),
}


def _event_data(partner: Partner) -> dict[str, Any]:
    return {field: getattr(partner, field) for field in _EVENT_FIELDS[type(partner)]}


def _event_type(partner: Partner, verb: str) -> str:
    return f"{partner._meta.model_name}.{verb}"


def _ensure_code_free(partner: Partner) -> None:
    others = type(partner)._default_manager.exclude(pk=partner.pk)
    if others.filter(code=partner.code).exists():
        message = f"A {partner._meta.verbose_name} with code {partner.code!r} already exists."
        raise errors.ValidationFailed(message, errors={"code": [message]})


def _save(partner: P, verb: str) -> P:
    save_unique(partner, _ensure_code_free)
    publish(_event_type(partner, verb), _event_data(partner))
    return partner


def _update(partner: P, changes: Mapping[str, Any]) -> P:
    for name, value in changes.items():
        setattr(partner, name, value)
    return _save(partner, "updated")


def _delete(partner: Partner) -> None:
    data = _event_data(partner)
    delete_unreferenced(partner, what=str(partner._meta.verbose_name))
    publish(_event_type(partner, "deleted"), data)


@transaction.atomic
def supplier_create(*, code: str, name: str, **details: Unpack[SupplierDetails]) -> Supplier:
    return _save(Supplier(code=code, name=name, **details), "created")


@transaction.atomic
def supplier_update(*, supplier: Supplier, **changes: Unpack[SupplierChanges]) -> Supplier:
    return _update(supplier, changes)


@transaction.atomic
def supplier_delete(*, supplier: Supplier) -> None:
    """Delete a supplier nothing refers to; else 409 ``conflict`` (deactivate it instead)."""
    _delete(supplier)


@transaction.atomic
def customer_create(*, code: str, name: str, **details: Unpack[CustomerDetails]) -> Customer:
    return _save(Customer(code=code, name=name, **details), "created")


@transaction.atomic
def customer_update(*, customer: Customer, **changes: Unpack[CustomerChanges]) -> Customer:
    return _update(customer, changes)


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    """Delete a customer nothing refers to; else 409 ``conflict`` (deactivate it instead)."""
    _delete(customer)
