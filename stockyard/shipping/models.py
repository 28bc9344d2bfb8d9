from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from stockyard.core.models import NumberedDocument, QuantityField
from stockyard.shipping.enums import ShipmentStatus


@pghistory.track()
class Shipment(NumberedDocument):
    """Goods of one sales order leaving its warehouse. Written by ``shipping.services``."""

    number_prefix = "SH-"
    sales_order = models.ForeignKey(
        "sales.SalesOrder", on_delete=models.PROTECT, related_name="shipments"
    )
    status = models.CharField(
        max_length=20,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.PENDING,
        db_index=True,
    )
    carrier = models.CharField(max_length=100, blank=True, default="")
    service = models.CharField(max_length=100, blank=True, default="")
    tracking_number = models.CharField(max_length=100, blank=True, default="", db_index=True)
    tracking_url = models.URLField(max_length=500, blank=True, default="")
    shipped_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ShipmentStatus.values), name="shipment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[ShipmentStatus.PENDING, ShipmentStatus.CANCELLED])
                | Q(shipped_at__isnull=False),
                name="shipment_shipped_at_set",
            ),
            models.CheckConstraint(
                condition=~Q(status=ShipmentStatus.DELIVERED) | Q(delivered_at__isnull=False),
                name="shipment_delivered_at_set",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"shipment #{self.pk}"


class DimensionField(models.DecimalField[Decimal, Decimal]):
    """A positive measure of a package (kilograms or centimetres), 3 places."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 3)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


@pghistory.track()
class ShipmentPackage(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="packages")
    weight_kg = DimensionField()
    length_cm = DimensionField()
    width_cm = DimensionField()
    height_cm = DimensionField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_kg__gt=0, length_cm__gt=0, width_cm__gt=0, height_cm__gt=0),
                name="shipment_package_dimensions_gt_0",
            )
        ]

    def __str__(self) -> str:
        return f"{self.weight_kg} kg, {self.length_cm}x{self.width_cm}x{self.height_cm} cm"


@pghistory.track()
class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    sales_order_line = models.ForeignKey(
        "sales.SalesOrderLine", on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = QuantityField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_gt_0"),
            models.UniqueConstraint(
                fields=["shipment", "sales_order_line"], name="shipment_line_unique_order_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.sales_order_line_id}"


@pghistory.track()
class TrackingEvent(models.Model):
    """What the carrier reported; appended, never changed."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="tracking_events")
    status = models.CharField(max_length=50, help_text="The carrier's status, e.g. in_transit.")
    description = models.TextField(blank=True, default="")
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.status} at {self.occurred_at:%Y-%m-%d %H:%M}"
