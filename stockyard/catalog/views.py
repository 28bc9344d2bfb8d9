from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets

from stockyard.accounts.roles import Capability
from stockyard.catalog import selectors, services
from stockyard.catalog.models import Category, Product
from stockyard.catalog.serializers import CategorySerializer, ProductSerializer
from stockyard.core.views import ETagMixin


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "New product",
                value={
                    "sku": "FAS-HXB-M8x40",
                    "name": "Hex bolt M8 x 40 mm, zinc plated (box of 100)",
                    "unit": "box",
                    "barcode": "4006381333931",
                    "category": 3,
                    "supplier": 1,
                    "price": "18.90",
                    "cost": "9.40",
                    "currency": "USD",
                    "reorder_point": "20.000",
                    "reorder_quantity": "100.000",
                    "lead_time_days": 5,
                },
                request_only=True,
            )
        ]
    ),
    destroy=extend_schema(
        description="Deletes a product nothing refers to; one with stock or documents "
        "answers 409 `conflict`: deactivate it instead (`is_active: false`)."
    ),
)
class ProductViewSet(ETagMixin, viewsets.ModelViewSet[Product]):
    """Products: what is bought, stocked and sold. SKUs are unique, ignoring case."""

    serializer_class = ProductSerializer
    read_capability = Capability.CATALOG_VIEW
    write_capability = Capability.CATALOG_MANAGE
    filterset_fields = {
        "category": ["exact"],
        "supplier": ["exact"],
        "is_active": ["exact"],
        "currency": ["exact"],
        "unit": ["exact"],
        "barcode": ["exact"],
        "price": ["gte", "lte"],
    }
    search_fields = ["sku", "name", "barcode"]
    ordering_fields = [
        "id",
        "sku",
        "name",
        "price",
        "cost",
        "reorder_point",
        "created_at",
        "updated_at",
    ]
    ordering = ["sku"]

    def get_queryset(self) -> QuerySet[Product]:
        return selectors.product_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.product_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.product_update(
            product=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Product) -> None:
        services.product_delete(product=instance)


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "Subcategory", value={"name": "Fasteners", "parent": 1}, request_only=True
            ),
            OpenApiExample("Top-level category", value={"name": "Hardware"}, request_only=True),
        ]
    ),
    destroy=extend_schema(
        description="Only an empty category can be deleted: one that still holds products "
        "or subcategories answers 409 `conflict`."
    ),
)
class CategoryViewSet(ETagMixin, viewsets.ModelViewSet[Category]):
    """The category tree: ``parent`` null is a top-level category. Names are unique
    among siblings, ignoring case; a category cannot move under its own subtree."""

    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    read_capability = Capability.CATALOG_VIEW
    write_capability = Capability.CATALOG_MANAGE
    filterset_fields = {"parent": ["exact", "isnull"]}
    search_fields = ["name"]
    ordering_fields = ["id", "name"]
    ordering = ["name", "id"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.category_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.category_update(
            category=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Category) -> None:
        services.category_delete(category=instance)
