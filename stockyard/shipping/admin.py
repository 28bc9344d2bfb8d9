"""Shipments in the Django admin: read-only, moved on by actions that call the services."""

from django.contrib import admin
from django.db import models

from stockyard.core.admin import ReadOnlyAdminMixin, transition_action
from stockyard.shipping import services
from stockyard.shipping.models import Shipment, ShipmentLine, ShipmentPackage, TrackingEvent


class ShipmentLineInline(ReadOnlyAdminMixin, admin.TabularInline[ShipmentLine, Shipment]):
    model = ShipmentLine
    fields = readonly_fields = ("sales_order_line", "quantity")
    extra = 0


class ShipmentPackageInline(ReadOnlyAdminMixin, admin.TabularInline[ShipmentPackage, Shipment]):
    model = ShipmentPackage
    fields = readonly_fields = ("weight_kg", "length_cm", "width_cm", "height_cm")
    extra = 0


class TrackingEventInline(ReadOnlyAdminMixin, admin.TabularInline[TrackingEvent, Shipment]):
    model = TrackingEvent
    fields = readonly_fields = ("occurred_at", "status", "description", "location")
    extra = 0


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Shipment]):
    list_display = ["number", "sales_order", "status", "carrier", "tracking_number", "shipped_at"]
    list_filter = ["status", "carrier"]
    search_fields = ["number", "tracking_number", "sales_order__number"]
    list_select_related = ["sales_order"]
    inlines = [ShipmentLineInline, ShipmentPackageInline, TrackingEventInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = [
        transition_action(
            "ship",
            "Ship (issue the stock)",
            lambda shipment, request: services.shipment_ship(shipment=shipment, user=request.user),
        ),
        transition_action(
            "deliver",
            "Mark delivered",
            lambda shipment, request: services.shipment_deliver(
                shipment=shipment, user=request.user
            ),
        ),
        transition_action(
            "cancel",
            "Cancel",
            lambda shipment, request: services.shipment_cancel(
                shipment=shipment, user=request.user
            ),
        ),
    ]
