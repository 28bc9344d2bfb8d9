from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from stockyard.core.decimals import RATE_DIGITS, RATE_PLACES
from stockyard.core.models import (
    MoneyField,
    NumberedDocument,
    PercentField,
    PriceField,
    QuantityField,
    RateField,
)
from stockyard.partners.models import default_currency, validate_currency_code
from stockyard.sales.enums import PaymentState, SalesOrderStatus


@pghistory.track()
class SalesOrder(NumberedDocument):
    """An order from a customer, served from one warehouse. Written by ``sales.services``."""

    number_prefix = "SO-"
    customer = models.ForeignKey(
        "partners.Customer", on_delete=models.PROTECT, related_name="sales_orders"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="sales_orders"
    )
    status = models.CharField(
        max_length=20,
        choices=SalesOrderStatus.choices,
        default=SalesOrderStatus.DRAFT,
        db_index=True,
    )
    currency = models.CharField(
        max_length=3, default=default_currency, validators=[validate_currency_code]
    )
    order_date = models.DateField(default=timezone.localdate, db_index=True)
    shipping_address = models.TextField(blank=True, default="")
    notes = models.TextField(blank=True, default="")
    subtotal = MoneyField(default=0)
    discount_total = MoneyField(default=0)
    tax_total = MoneyField(default=0)
    total = MoneyField(default=0)
    exchange_rate = RateField(
        default=1,
        db_default=1,
        help_text="DEFAULT_CURRENCY per unit of the order's currency on its order date: "
        "what reports convert its amounts with.",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    amount_paid = MoneyField(
        default=0,
        db_default=0,
        help_text="Received less refunded, in the order's currency (payments app).",
    )
    payment_status = models.CharField(
        max_length=20,
        choices=PaymentState.choices,
        default=PaymentState.UNPAID,
        db_default=PaymentState.UNPAID,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SalesOrderStatus.values), name="sales_order_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0, discount_total__gte=0, tax_total__gte=0),
                name="sales_order_amounts_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") - F("discount_total") + F("tax_total")),
                name="sales_order_total_identity",
            ),
            models.CheckConstraint(
                condition=Q(status=SalesOrderStatus.DRAFT)
                | Q(status=SalesOrderStatus.CANCELLED)
                | Q(confirmed_at__isnull=False),
                name="sales_order_confirmed_at_set",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"sales order #{self.pk}"


@pghistory.track()
class SalesOrderLine(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField()
    quantity_shipped = QuantityField(default=0)
    unit_price = PriceField()
    exchange_rate = models.DecimalField(
        max_digits=RATE_DIGITS,
        decimal_places=RATE_PLACES,
        null=True,
        blank=True,
        help_text="Order currency per unit of the product's currency, when the price was "
        "converted from the product's; null otherwise.",
    )
    discount_percent = PercentField()
    tax_rate = PercentField()
    line_subtotal = MoneyField()
    line_discount = MoneyField()
    line_tax = MoneyField()
    line_total = MoneyField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_line_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(quantity_shipped__gte=0, quantity_shipped__lte=F("quantity")),
                name="sales_line_shipped_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="sales_line_unit_price_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="sales_line_discount_percent_0_100",
            ),
            models.CheckConstraint(condition=Q(tax_rate__gte=0), name="sales_line_tax_rate_gte_0"),
            models.CheckConstraint(
                condition=Q(line_total=F("line_subtotal") - F("line_discount") + F("line_tax")),
                name="sales_line_total_identity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id} @ {self.unit_price}"

    @property
    def quantity_unshipped(self) -> Decimal:
        return self.quantity - self.quantity_shipped
