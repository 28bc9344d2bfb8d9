import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from stockyard.core.models import MoneyField
from stockyard.payments.enums import PaymentMethod, PaymentProvider, PaymentStatus


@pghistory.track()
class Payment(models.Model):
    """Money received (or being received) for a sales order, in the order's currency.

    ``amount_refunded`` of a succeeded payment has been paid back; once it is all paid
    back the payment is ``refunded``. A card payment is ``pending`` until its provider
    says it succeeded or failed."""

    sales_order = models.ForeignKey(
        "sales.SalesOrder", on_delete=models.PROTECT, related_name="payments"
    )
    amount = MoneyField()
    amount_refunded = MoneyField(default=0)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    status = models.CharField(max_length=10, choices=PaymentStatus.choices, db_index=True)
    provider = models.CharField(max_length=20, choices=PaymentProvider.choices)
    provider_reference = models.CharField(max_length=255, blank=True, default="", db_index=True)
    note = models.CharField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0, amount_refunded__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payment_provider_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment #{self.pk} ({self.amount} {self.currency}, {self.status})"


class ProviderEvent(models.Model):
    """A provider's webhook event, recorded once when applied: its id is the key that
    makes a redelivered or concurrently delivered event apply only once."""

    provider = models.CharField(max_length=20, choices=PaymentProvider.choices)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"


@pghistory.track()
class Refund(models.Model):
    """Money paid back on an order for one reason, recorded once per ``reference`` (a
    customer return's number): the key that makes a retried, redelivered or concurrent
    refund of the same return pay back once. ``requested`` is what was asked for,
    ``amount`` what was paid back (never more than the order had received), both in the
    order's currency."""

    sales_order = models.ForeignKey(
        "sales.SalesOrder", on_delete=models.PROTECT, related_name="refunds"
    )
    reference = models.CharField(max_length=100)
    requested = MoneyField()
    amount = MoneyField()
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="refund_reference_once"),
            models.CheckConstraint(
                condition=Q(requested__gt=0, amount__gte=0, amount__lte=F("requested")),
                name="refund_within_requested",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.reference} ({self.amount} {self.currency})"
