from typing import Any

from rest_framework import serializers

from stockyard.core.serializers import LineCountField, document_lines
from stockyard.shipping.models import Shipment, ShipmentLine, ShipmentPackage, TrackingEvent
from stockyard.shipping.services import PackageInput, ShipmentLineInput


class ShipmentPackageSerializer(serializers.ModelSerializer[ShipmentPackage]):
    class Meta:
        model = ShipmentPackage
        fields = ["weight_kg", "length_cm", "width_cm", "height_cm"]

    def validate(self, attrs: dict[str, Any]) -> PackageInput:
        # Checked here rather than per field: a PATCH skips missing fields at every level.
        problems = {
            name: ["Must be greater than 0."] for name, value in attrs.items() if value <= 0
        }
        problems |= {
            name: ["This field is required."] for name in self.Meta.fields if name not in attrs
        }
        if problems:
            raise serializers.ValidationError(problems)
        return PackageInput(**attrs)


class ShipmentLineSerializer(serializers.ModelSerializer[ShipmentLine]):
    product = serializers.IntegerField(source="sales_order_line.product_id", read_only=True)
    product_sku = serializers.CharField(source="sales_order_line.product.sku", read_only=True)

    class Meta:
        model = ShipmentLine
        fields = ["sales_order_line", "product", "product_sku", "quantity"]

    def validate_quantity(self, value: Any) -> Any:
        if value <= 0:
            raise serializers.ValidationError("Must be greater than 0.")
        return value

    def validate(self, attrs: dict[str, Any]) -> ShipmentLineInput:
        return ShipmentLineInput(**attrs)


class TrackingEventSerializer(serializers.ModelSerializer[TrackingEvent]):
    class Meta:
        model = TrackingEvent
        fields = ["id", "status", "description", "occurred_at", "location", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"description": {"required": True, "allow_blank": True}}


class ShipmentSerializer(serializers.ModelSerializer[Shipment]):
    sales_order_number = serializers.CharField(source="sales_order.number", read_only=True)
    packages = ShipmentPackageSerializer(many=True, required=False)
    lines = document_lines(ShipmentLineSerializer, allow_empty=False)
    line_count = LineCountField()
    tracking_events = TrackingEventSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "number",
            "sales_order",
            "sales_order_number",
            "status",
            "carrier",
            "service",
            "tracking_number",
            "tracking_url",
            "packages",
            "lines",
            "line_count",
            "tracking_events",
            "shipped_at",
            "delivered_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "status",
            "shipped_at",
            "delivered_at",
            "created_at",
            "updated_at",
        ]

    def to_internal_value(self, data: Any) -> Any:
        if self.instance is not None and isinstance(data, dict):
            fixed = {
                name: ["Fixed once the shipment exists: cancel it and create another."]
                for name in ("sales_order", "lines")
                if name in data
            }
            if fixed:
                raise serializers.ValidationError(fixed)
        return super().to_internal_value(data)
