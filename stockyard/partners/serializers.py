"""Shapes of suppliers and customers. Contact and tax fields travel in plaintext over the
API (to users allowed to read partners); they are encrypted only at rest."""

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from stockyard.core.serializers import AmountField
from stockyard.partners.models import Customer, Supplier

_PARTNER_EXTRA_KWARGS: dict[str, dict[str, Any]] = {
    # Codes are unique: the service checks it (for every caller), not a second validator here.
    "code": {"validators": []},
    "phone": {"max_length": 50},
    "tax_id": {"max_length": 50},
}


class SupplierSerializer(serializers.ModelSerializer[Supplier]):
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
        extra_kwargs = {**_PARTNER_EXTRA_KWARGS, "bank_account": {"max_length": 64}}


class CustomerSerializer(serializers.ModelSerializer[Customer]):
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    credit_limit = AmountField(
        read_only=False,
        required=False,
        allow_null=True,
        min_value=Decimal(0),
        help_text="In the customer's currency, shown to its minor unit; null: no limit.",
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
        extra_kwargs = _PARTNER_EXTRA_KWARGS
