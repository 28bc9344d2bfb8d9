"""Shapes of the payments API; what may be paid is decided by the services."""

from typing import Any

from rest_framework import serializers

from stockyard.core.decimals import AMOUNT_DIGITS, AMOUNT_PLACES, step
from stockyard.core.serializers import AmountField
from stockyard.payments.models import Payment
from stockyard.sales.models import SalesOrder


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    sales_order_number = serializers.CharField(source="sales_order.number", read_only=True)
    amount = AmountField()
    amount_refunded = AmountField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "sales_order",
            "sales_order_number",
            "amount",
            "amount_refunded",
            "currency",
            "method",
            "status",
            "provider",
            "provider_reference",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class ManualPaymentSerializer(serializers.Serializer[Any]):
    sales_order = serializers.PrimaryKeyRelatedField(queryset=SalesOrder.objects.all())
    amount = serializers.DecimalField(
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        min_value=step(AMOUNT_PLACES),
        help_text="Received, in the order's currency, with at most its minor unit's places "
        "(ISO 4217: JPY 0, USD 2, KWD 3); at most what is still due.",
    )
    note = serializers.CharField(
        max_length=500,
        required=False,
        default="",
        allow_blank=True,
        help_text="How it was paid: a bank reference, 'cash at the counter' ...",
    )


class CheckoutSerializer(serializers.Serializer[Any]):
    client_secret = serializers.CharField(
        help_text="The PaymentIntent's client secret, for Stripe.js `confirmPayment`."
    )
    payment = PaymentSerializer()


class WebhookReceiptSerializer(serializers.Serializer[Any]):
    received = serializers.BooleanField(default=True)
    applied = serializers.BooleanField(
        help_text="False when this event id was applied before (a redelivery)."
    )
