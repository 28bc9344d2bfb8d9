"""Shapes of products and categories; business rules live in ``services``."""

from decimal import Decimal

from rest_framework import serializers

from stockyard.catalog.models import Category, Product

_NOT_NEGATIVE = {"min_value": Decimal(0)}


class CategorySerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "name", "parent"]


class ProductSerializer(serializers.ModelSerializer[Product]):
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
