from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
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
from stockyard.purchasing.enums import PurchaseOrderStatus


@pghistory.track()
class PurchaseOrder(NumberedDocument):
    """An order to a supplier for goods to be delivered into one warehouse.

    Written only by ``purchasing.services``, which recompute the totals from the lines.
    """

    number_prefix = "PO-"
    supplier = models.ForeignKey(
        "partners.Supplier", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    status = models.CharField(
        max_length=20,
        choices=PurchaseOrderStatus.choices,
        default=PurchaseOrderStatus.DRAFT,
        db_index=True,
    )
    currency = models.CharField(
        max_length=3, default=default_currency, validators=[validate_currency_code]
    )
    order_date = models.DateField(default=timezone.localdate)
    expected_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    subtotal = MoneyField(default=0)
    tax_total = MoneyField(default=0)
    total = MoneyField(default=0)
    exchange_rate = RateField(
        default=1,
        db_default=1,
        help_text="DEFAULT_CURRENCY per unit of the order's currency on its order date: "
        "what reports convert its amounts with.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PurchaseOrderStatus.values),
                name="purchase_order_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(subtotal__gte=0, tax_total__gte=0, total__gte=0),
                name="purchase_order_totals_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"purchase order #{self.pk}"


OUTSTANDING = models.Q(quantity_received__lt=models.F("quantity"))
"""Purchase-order lines with something still to arrive: the condition of their indexes."""


@pghistory.track()
class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="purchase_order_lines"
    )
    quantity = QuantityField()
    quantity_received = QuantityField(default=0)
    quantity_returned = QuantityField(
        default=0, db_default=0, help_text="Sent back to the supplier."
    )
    unit_cost = PriceField()
    exchange_rate = models.DecimalField(
        max_digits=RATE_DIGITS,
        decimal_places=RATE_PLACES,
        null=True,
        blank=True,
        help_text="Order currency per unit of the product's currency, when the cost was "
        "converted from the product's; null otherwise.",
    )
    tax_rate = PercentField(help_text="Percent: 20 is 20 %.")
    line_subtotal = MoneyField(default=0)
    line_tax = MoneyField(default=0)
    line_total = MoneyField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="purchase_line_quantity_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    quantity_received__gte=0, quantity_received__lte=models.F("quantity")
                ),
                name="purchase_line_received_within_quantity",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    quantity_returned__gte=0, quantity_returned__lte=models.F("quantity_received")
                ),
                name="purchase_line_returned_within_received",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0), name="purchase_line_unit_cost_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(tax_rate__gte=0, tax_rate__lte=100),
                name="purchase_line_tax_rate_0_to_100",
            ),
        ]
        indexes = [
            # What is still to arrive (on order while the order is open): a few thousand
            # lines however long the history. The reorder selectors find the open orders
            # (by status), then their outstanding lines from this index alone (it carries
            # what they read), instead of every line ever ordered.
            models.Index(
                fields=["order"],
                include=["product", "quantity", "quantity_received"],
                condition=OUTSTANDING,
                name="purchase_line_outstanding_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.product_id} on {self.order_id}"

    @property
    def outstanding(self) -> Decimal:
        return self.quantity - self.quantity_received


class OnOrder(models.Model):
    """What unfinished purchase orders (``ON_ORDER_STATUSES``) still have to deliver of
    one product into one warehouse: the sum of their lines' ``quantity -
    quantity_received``. A row exists while something is on order.

    Kept by ``purchasing.on_order`` in the transaction of every change of an order that
    moves it, so reorder suggestions read it instead of the orders' lines; not history
    (no audit trail: the orders have theirs). No check keeps it at or above 0: while a
    release that does not keep it still runs (a rolling deploy), its changes are not
    counted, and a receipt of such an order by the new release must not fail for it;
    ``manage.py recount_on_order`` then puts it right, ``check_stock_ledger`` finds it."""

    product = models.ForeignKey(  # indexed first in ``on_order_unique``
        "catalog.Product", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField()
    # The pair's stock level, when there is one: a join, not a column (and no constraint:
    # a pair can be on order before its first stock arrives).
    level = models.ForeignObject(
        "inventory.StockLevel",
        from_fields=["product", "warehouse"],
        to_fields=["product", "warehouse"],
        on_delete=models.DO_NOTHING,
        related_name="+",
        related_query_name="on_order",
        null=True,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="on_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.product_id} on order for {self.warehouse_id}"
