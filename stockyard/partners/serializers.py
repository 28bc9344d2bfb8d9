"""Shapes of suppliers and customers. Contact and tax fields are encrypted at rest; tax ids
and bank accounts travel in plaintext only to the roles the owning department's
capability names (``accounts.roles``), everyone else reads them masked (``••••1234``)."""

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from stockyard.accounts.roles import Capability, Role, roles_allow
from stockyard.core.serializers import AmountField
from stockyard.partners.models import Customer, Supplier

MASK = "••••"
UNMASKED_TAIL = 4


def mask(value: str) -> str:
    """``"DE89370400440532013000"`` → ``"••••3000"``; short values show no digit at all."""
    if not value:
        return value
    tail = value[-UNMASKED_TAIL:] if len(value) > 2 * UNMASKED_TAIL else ""
    return MASK + tail


class MaskedFieldsMixin:
    """Masks ``masked_fields`` unless the requesting user holds ``unmasked_capability``."""

    masked_fields: tuple[str, ...] = ()
    unmasked_capability: Capability

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        roles: frozenset[Role] = getattr(getattr(request, "user", None), "roles", frozenset())
        if not roles_allow(roles, self.unmasked_capability):
            for field in self.masked_fields:
                if field in data:
                    data[field] = mask(data[field])
        return data


_PARTNER_EXTRA_KWARGS: dict[str, dict[str, Any]] = {
    # Codes are unique: the service checks it (for every caller), not a second validator here.
    "code": {"validators": []},
    "phone": {"max_length": 50},
    "tax_id": {"max_length": 50},
}


class SupplierSerializer(MaskedFieldsMixin, serializers.ModelSerializer[Supplier]):
    masked_fields = ("tax_id", "bank_account")
    unmasked_capability = Capability.SUPPLIERS_SENSITIVE_VIEW
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)

    class Meta:
        model = Supplier
        fields = [
            "id",
            "code",
            "name",
            "email",
            "phone",
            "address",
            "tax_id",
            "bank_account",
            "currency",
            "lead_time_days",
            "is_active",
        ]
        extra_kwargs = {
            **_PARTNER_EXTRA_KWARGS,
            "tax_id": {
                **_PARTNER_EXTRA_KWARGS["tax_id"],
                "help_text": "Masked (`••••7890`) for roles other than admin, manager, purchasing.",
            },
            "bank_account": {
                "max_length": 64,
                "help_text": "Masked (`••••5678`) for roles other than admin, manager, purchasing.",
            },
        }


class CustomerSerializer(MaskedFieldsMixin, serializers.ModelSerializer[Customer]):
    masked_fields = ("tax_id",)
    unmasked_capability = Capability.CUSTOMERS_SENSITIVE_VIEW
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    credit_limit = AmountField(
        read_only=False,
        required=False,
        allow_null=True,
        min_value=Decimal(0),
        help_text="In the customer's currency, shown to its minor unit; null: no limit. "
        "Only admins and managers set or change it (403 `permission_denied` for others).",
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "email",
            "phone",
            "billing_address",
            "shipping_address",
            "tax_id",
            "currency",
            "credit_limit",
            "is_active",
        ]
        extra_kwargs = {
            **_PARTNER_EXTRA_KWARGS,
            "tax_id": {
                **_PARTNER_EXTRA_KWARGS["tax_id"],
                "help_text": "Masked (`••••4567`) for roles other than admin, manager, sales.",
            },
        }
