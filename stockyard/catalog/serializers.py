"""Shapes of products and categories; business rules live in ``services``."""

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from stockyard.catalog.models import Category, ExchangeRate, Product, Unit
from stockyard.core.decimals import QUANTITY_PLACES

_NOT_NEGATIVE = {"min_value": Decimal(0)}


class CategorySerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "name", "parent"]


class UnitCodeField(serializers.SlugRelatedField[Unit]):
    """A unit of measure by its code, read from the product's own column: the code is
    the key the product refers to the unit by, so no query is made per product."""

    def use_pk_only_optimization(self) -> bool:
        return True

    def to_representation(self, obj: Any) -> Any:
        return obj.pk


class ProductSerializer(serializers.ModelSerializer[Product]):
    unit = UnitCodeField(
        slug_field="code",
        queryset=Unit.objects.all(),
        required=False,
        help_text="Code of the product's unit of measure (`/api/v1/units/`); default `pcs`.",
    )
    category_name = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, allow_null=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "description",
            "unit",
            "barcode",
            "category",
            "category_name",
            "supplier",
            "supplier_name",
            "price",
            "cost",
            "currency",
            "reorder_point",
            "reorder_quantity",
            "lead_time_days",
            "is_active",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "price": _NOT_NEGATIVE,
            "cost": _NOT_NEGATIVE,
            "reorder_point": _NOT_NEGATIVE,
            "reorder_quantity": _NOT_NEGATIVE,
        }


class UnitSerializer(serializers.ModelSerializer[Unit]):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "decimal_places"]
        extra_kwargs = {
            "decimal_places": {
                "min_value": 0,
                "max_value": QUANTITY_PLACES,
                "help_text": "Decimals a quantity in this unit may have: 0 (pieces) to 3.",
            }
        }

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if self.instance is not None:  # the code is the unit's identity
            fields["code"].read_only = True
        return fields


class ExchangeRateSerializer(serializers.ModelSerializer[ExchangeRate]):
    class Meta:
        model = ExchangeRate
        fields = ["id", "base", "quote", "rate", "valid_from"]
        extra_kwargs = {
            "base": {"help_text": "ISO 4217 code of the currency priced."},
            "quote": {"help_text": "ISO 4217 code of the currency it is priced in."},
            "rate": {
                "min_value": Decimal("0.0000000001"),
                "help_text": "How many `quote` one `base` is worth (up to 10 places).",
            },
            "valid_from": {"help_text": "First day (business time zone) the rate applies."},
        }
