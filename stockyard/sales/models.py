from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from stockyard.core.decimals import RATE_DIGITS, RATE_PLACES, price
from stockyard.core.models import (
    MoneyField,
    NumberedDocument,
    PercentField,
    PriceField,
    QuantityField,
    RateField,
)
from stockyard.inventory.models import CostField
from stockyard.partners.models import default_currency, validate_currency_code
from stockyard.sales.enums import (
    PaymentState,
    ReturnDisposition,
    ReturnStatus,
    SalesOrderStatus,
)

HALF_AMOUNT_STEP = Decimal("0.0005")
"""Half the smallest step of an amount column (3 places): the tolerance of ``sums_to``."""


def sums_to(
    total: str, subtotal: str, discount: str, tax: str, *, name: str
) -> models.CheckConstraint:
    """``total = subtotal - discount + tax``, to within half an amount column's step.

    On PostgreSQL's exact ``numeric`` this is the equality itself (the columns hold 3
    places, so nothing lies strictly within 0.0005 of the sum but the sum); SQLite stores
    decimals as floating point, whose rounding would otherwise refuse correct rows.
    """
    expected = F(subtotal) - F(discount) + F(tax)
    return models.CheckConstraint(
        condition=Q(
            **{
                f"{total}__gte": expected - HALF_AMOUNT_STEP,
                f"{total}__lte": expected + HALF_AMOUNT_STEP,
            }
        ),
        name=name,
    )


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
    allow_backorder = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Confirm with what is available and wait for the rest (backorders).",
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
            sums_to(
                "total",
                "subtotal",
                "discount_total",
                "tax_total",
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
    quantity_cancelled = QuantityField(
        default=0, db_default=0, help_text="Released unshipped when the order was closed."
    )
    quantity_returned = QuantityField(
        default=0, db_default=0, help_text="Received back from the customer."
    )
    shipped_cost = CostField(
        default=0,
        db_default=0,
        help_text="What the shipped goods cost: quantity x the unit cost they left at.",
    )
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
                condition=Q(
                    quantity_cancelled__gte=0,
                    quantity_cancelled__lte=F("quantity") - F("quantity_shipped"),
                ),
                name="sales_line_cancelled_within_unshipped",
            ),
            models.CheckConstraint(
                condition=Q(quantity_returned__gte=0, quantity_returned__lte=F("quantity_shipped")),
                name="sales_line_returned_within_shipped",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="sales_line_unit_price_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="sales_line_discount_percent_0_100",
            ),
            models.CheckConstraint(condition=Q(tax_rate__gte=0), name="sales_line_tax_rate_gte_0"),
            sums_to(
                "line_total",
                "line_subtotal",
                "line_discount",
                "line_tax",
                name="sales_line_total_identity",
            ),
        ]

    quantity_backordered: Decimal = Decimal(0)
    """Not a column: what waits in the inventory's backorder queue, annotated by
    ``sales.selectors.sales_order_lines`` (0 on lines read otherwise, e.g. drafts')."""

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id} @ {self.unit_price}"

    @property
    def shipped_unit_cost(self) -> Decimal:
        """The average unit cost the shipped goods left the warehouse at, rounded half-up to
        4 places like every unit cost (0: none shipped)."""
        if not self.quantity_shipped:
            return Decimal(0)
        return price(self.shipped_cost / self.quantity_shipped)

    @property
    def quantity_unshipped(self) -> Decimal:
        """What is still to ship: neither shipped nor cancelled by closing the order."""
        return self.quantity - self.quantity_shipped - self.quantity_cancelled


@pghistory.track()
class CustomerReturn(NumberedDocument):
    """Goods a customer sends back against shipped lines of one sales order (an RMA).
    Written by ``sales.returns``."""

    number_prefix = "RMA-"
    sales_order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="returns")
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where restocked goods go; defaults to the order's warehouse.",
    )
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED, db_index=True
    )
    reason = models.TextField(blank=True, default="")
    refund_total = MoneyField(
        default=0, help_text="The lines' share of the order lines' line_total (tax included)."
    )
    received_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReturnStatus.values), name="customer_return_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ReturnStatus.RECEIVED, received_at__isnull=False)
                | (~Q(status=ReturnStatus.RECEIVED) & Q(received_at__isnull=True)),
                name="customer_return_received_at_iff_received",
            ),
            models.CheckConstraint(
                condition=Q(refund_total__gte=0), name="customer_return_refund_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"return #{self.pk}"


@pghistory.track()
class CustomerReturnLine(models.Model):
    customer_return = models.ForeignKey(
        CustomerReturn, on_delete=models.CASCADE, related_name="lines"
    )
    sales_order_line = models.ForeignKey(
        SalesOrderLine, on_delete=models.PROTECT, related_name="return_lines"
    )
    quantity = QuantityField()
    disposition = models.CharField(max_length=10, choices=ReturnDisposition.choices)
    unit_cost = CostField(help_text="The unit cost the goods left the warehouse at.")
    refund_amount = MoneyField(default=0, help_text="Share of the order line's line_total.")
    refund_tax = MoneyField(default=0, help_text="Share of the order line's line_tax.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(disposition__in=ReturnDisposition.values),
                name="return_line_disposition_valid",
            ),
            models.UniqueConstraint(
                fields=["customer_return", "sales_order_line"], name="return_line_unique_order_line"
            ),
            models.CheckConstraint(
                condition=Q(refund_tax__gte=0, refund_amount__gte=F("refund_tax")),
                name="return_line_refund_gte_tax_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.sales_order_line_id} ({self.disposition})"
