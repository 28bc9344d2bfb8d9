from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets

from stockyard.accounts.roles import Capability
from stockyard.catalog import selectors, services
from stockyard.catalog.models import Category, ExchangeRate, Product, Unit
from stockyard.catalog.serializers import (
    CategorySerializer,
    ExchangeRateSerializer,
    ProductSerializer,
    UnitSerializer,
)
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


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "Weighed goods",
                value={"code": "kg", "name": "kilogram", "decimal_places": 3},
                request_only=True,
            )
        ]
    ),
    destroy=extend_schema(
        description="Deletes a unit no product is measured in; else 409 `conflict`."
    ),
)
class UnitViewSet(ETagMixin, viewsets.ModelViewSet[Unit]):
    """Units of measure. A product's `unit` is a unit's `code`; every quantity of the
    product (order lines, receipts, shipments, adjustments, transfers, counts, returns)
    may have at most the unit's `decimal_places` decimals, else 400 `validation_error`
    at that field. Seeded: `pcs` (0), `g` (0), `kg` (3), `m` (3), `l` (3)."""

    serializer_class = UnitSerializer
    read_capability = Capability.CATALOG_VIEW
    write_capability = Capability.CATALOG_MANAGE
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]

    def get_queryset(self) -> QuerySet[Unit]:
        return selectors.unit_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.unit_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.unit_update(
            unit=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Unit) -> None:
        services.unit_delete(unit=instance)


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "Euro in yen",
                value={"base": "EUR", "quote": "JPY", "rate": "162.5", "valid_from": "2026-12-01"},
                request_only=True,
            )
        ]
    ),
)
class ExchangeRateViewSet(ETagMixin, viewsets.ModelViewSet[ExchangeRate]):
    """Dated exchange rates: from `valid_from` on, one `base` is worth `rate` `quote`.

    A document uses the rate of the pair with the latest `valid_from` on or before its
    `order_date` (or the inverse of the reverse pair's): to convert product prices and
    costs into the order's currency (the line records it as `exchange_rate`), and to
    convert the order into `DEFAULT_CURRENCY` for reports (the order's `exchange_rate`).
    Documents keep the rates they recorded when rates change later."""

    serializer_class = ExchangeRateSerializer
    read_capability = Capability.CATALOG_VIEW
    write_capability = Capability.CATALOG_MANAGE
    filterset_fields = {"base": ["exact"], "quote": ["exact"], "valid_from": ["gte", "lte"]}
    ordering_fields = ["base", "quote", "valid_from"]
    ordering = ["base", "quote", "-valid_from"]

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        return selectors.exchange_rate_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.exchange_rate_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.exchange_rate_update(
            exchange_rate=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: ExchangeRate) -> None:
        services.exchange_rate_delete(exchange_rate=instance)
