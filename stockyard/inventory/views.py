from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from stockyard.accounts.roles import Capability
from stockyard.core.pagination import CursorPagination
from stockyard.core.views import ETagMixin
from stockyard.inventory import selectors, services
from stockyard.inventory.filters import StockLevelFilter, StockMovementFilter
from stockyard.inventory.models import StockLevel, StockMovement, Warehouse
from stockyard.inventory.serializers import (
    StockAdjustmentSerializer,
    StockCountResultSerializer,
    StockCountSerializer,
    StockLevelSerializer,
    StockMovementSerializer,
    StockTransferResultSerializer,
    StockTransferSerializer,
    WarehouseSerializer,
)

_INSUFFICIENT = {409: None}


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "Warehouse",
                value={"code": "MAIN", "name": "Main warehouse", "address": "1 Dock Rd"},
                request_only=True,
            )
        ]
    ),
    destroy=extend_schema(
        description="Only a warehouse without stock history; otherwise 409 `conflict`: "
        "deactivate it instead."
    ),
)
class WarehouseViewSet(ETagMixin, viewsets.ModelViewSet[Warehouse]):
    serializer_class = WarehouseSerializer
    read_capability = Capability.BUSINESS_VIEW
    write_capability = Capability.WAREHOUSES_MANAGE
    filterset_fields = ["is_active"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "id"]

    def get_queryset(self) -> QuerySet[Warehouse]:
        return selectors.warehouse_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.warehouse_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.warehouse_update(
            warehouse=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Warehouse) -> None:
        services.warehouse_delete(warehouse=instance)


class StockLevelViewSet(viewsets.ReadOnlyModelViewSet[StockLevel]):
    """Stock per product and warehouse: `available = on_hand - reserved`,
    `value = on_hand * average_cost`."""

    serializer_class = StockLevelSerializer
    read_capability = Capability.BUSINESS_VIEW
    filterset_class = StockLevelFilter
    search_fields = ["product__sku", "product__name", "warehouse__code"]
    ordering_fields = ["on_hand", "reserved", "available_quantity", "value", "updated_at"]

    def get_queryset(self) -> QuerySet[StockLevel]:
        return selectors.stock_level_list()


class StockMovementViewSet(viewsets.ReadOnlyModelViewSet[StockMovement]):
    """The append-only stock ledger, newest first, cursor-paginated."""

    serializer_class = StockMovementSerializer
    read_capability = Capability.BUSINESS_VIEW
    pagination_class = CursorPagination
    filterset_class = StockMovementFilter
    ordering_fields: list[str] = []

    def get_queryset(self) -> QuerySet[StockMovement]:
        return selectors.stock_movement_list()


class _StockOperationViewSet(viewsets.GenericViewSet[Any]):
    """A POST-only endpoint running one stock service."""

    read_capability = Capability.STOCK_MOVE
    write_capability = Capability.STOCK_MOVE
    pagination_class = None
    filter_backends: list[type] = []

    def validated(self, request: Request) -> dict[str, Any]:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class StockAdjustmentViewSet(_StockOperationViewSet, mixins.CreateModelMixin):
    serializer_class = StockAdjustmentSerializer

    @extend_schema(
        request=StockAdjustmentSerializer,
        responses={201: StockMovementSerializer, **_INSUFFICIENT},
        description="Post a signed correction. Stock would go below zero (or below what is "
        "reserved) → 409 `insufficient_stock`.",
        examples=[
            OpenApiExample(
                "Two damaged units",
                value={"product": 12, "warehouse": 1, "quantity": "-2", "reason": "damaged"},
                request_only=True,
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(request)
        movement = services.stock_adjust(
            product=data["product"],
            warehouse=data["warehouse"],
            quantity=data["quantity"],
            reason=data["reason"],
            note=data["note"],
            unit_cost=data.get("unit_cost"),
            user=request.user,
        )
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class StockTransferViewSet(_StockOperationViewSet, mixins.CreateModelMixin):
    serializer_class = StockTransferSerializer

    @extend_schema(
        request=StockTransferSerializer,
        responses={201: StockTransferResultSerializer, **_INSUFFICIENT},
        examples=[
            OpenApiExample(
                "Rebalance",
                value={"product": 12, "from_warehouse": 1, "to_warehouse": 2, "quantity": "5"},
                request_only=True,
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(request)
        transfer, movements = services.stock_transfer(
            product_id=data["product"].pk,
            from_warehouse_id=data["from_warehouse"].pk,
            to_warehouse_id=data["to_warehouse"].pk,
            quantity=data["quantity"],
            user=request.user,
        )
        transfer.movements = movements  # type: ignore[attr-defined]
        return Response(
            StockTransferResultSerializer(transfer).data, status=status.HTTP_201_CREATED
        )


class StockCountViewSet(_StockOperationViewSet, mixins.CreateModelMixin):
    serializer_class = StockCountSerializer

    @extend_schema(
        request=StockCountSerializer,
        responses={201: StockCountResultSerializer, **_INSUFFICIENT},
        description="Record counted quantities; `count` movements are posted for every "
        "difference. Counting less than is reserved → 409 `insufficient_stock`.",
        examples=[
            OpenApiExample(
                "Cycle count",
                value={"warehouse": 1, "lines": [{"product": 12, "counted_quantity": "48"}]},
                request_only=True,
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(request)
        count, movements = services.stock_count(
            warehouse_id=data["warehouse"].pk,
            lines=[
                services.CountLine(line["product"].pk, line["counted_quantity"])
                for line in data["lines"]
            ],
            note=data["note"],
            user=request.user,
        )
        count.movements = movements  # type: ignore[attr-defined]
        return Response(StockCountResultSerializer(count).data, status=status.HTTP_201_CREATED)
