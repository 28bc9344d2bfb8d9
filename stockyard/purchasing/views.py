from typing import Any, cast

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from stockyard.accounts.models import User
from stockyard.accounts.roles import Capability
from stockyard.core.views import DocumentViewSet
from stockyard.purchasing import selectors, services
from stockyard.purchasing.models import PurchaseOrder
from stockyard.purchasing.serializers import (
    FromSuggestionsResultSerializer,
    FromSuggestionsSerializer,
    PurchaseOrderSerializer,
    ReceiveSerializer,
    ReorderSuggestionFilterSerializer,
    ReorderSuggestionSerializer,
    ReturnToSupplierSerializer,
)

_NEW_ORDER = OpenApiExample(
    "Two lines, the first at the product's cost",
    value={
        "supplier": 3,
        "warehouse": 1,
        "expected_date": "2025-07-01",
        "lines": [
            {"product": 12, "quantity": "40"},
            {"product": 15, "quantity": "10", "unit_cost": "7.25", "tax_rate": "20.00"},
        ],
    },
    request_only=True,
)
_RECEIPT = OpenApiExample(
    "Part of two lines arrived",
    value={"lines": [{"line": 31, "quantity": "25"}, {"line": 32, "quantity": "10"}]},
    request_only=True,
)
_SUPPLIER_RETURN = OpenApiExample(
    "Three damaged units back to the supplier",
    value={"lines": [{"line": 31, "quantity": "3"}]},
    request_only=True,
)
_NO_BODY = extend_schema(request=None, responses=PurchaseOrderSerializer)


@extend_schema_view(
    create=extend_schema(examples=[_NEW_ORDER]),
    partial_update=extend_schema(
        description="While draft, anything (``lines`` replaces every line); afterwards only "
        "``notes`` and ``expected_date`` (else 409 ``invalid_transition``)."
    ),
)
class PurchaseOrderViewSet(DocumentViewSet[PurchaseOrder]):
    """Purchase orders: draft → submitted → partially received → received → closed."""

    serializer_class = PurchaseOrderSerializer
    selector = staticmethod(selectors.purchase_order_list)
    transitions = frozenset({"submit", "receive", "cancel", "close", "send_back"})
    read_capability = Capability.BUSINESS_VIEW
    write_capability = Capability.PURCHASING_MANAGE
    action_capabilities = {
        "receive": Capability.PURCHASING_RECEIVE,
        "send_back": Capability.PURCHASING_RECEIVE,
    }
    filterset_fields = ["status", "supplier", "warehouse"]
    search_fields = ["number", "supplier__name"]
    ordering_fields = ["id", "number", "order_date", "expected_date", "total", "created_at"]
    ordering = ["-id"]

    def _user(self) -> User:
        return cast(User, self.request.user)

    def perform_create(self, serializer: Any) -> None:
        order = services.purchase_order_create(user=self._user(), **serializer.service_arguments())
        serializer.instance = self.shown(order)

    def perform_update(self, serializer: Any) -> None:
        order = services.purchase_order_update(
            order=serializer.instance, user=self._user(), **serializer.service_arguments()
        )
        serializer.instance = self.shown(order)

    @_NO_BODY
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Send a draft order to the supplier: ``draft`` → ``submitted``; any other status
        answers 409 ``invalid_transition``."""
        return self.respond(
            services.purchase_order_submit(order=self.get_object(), user=self._user())
        )

    @extend_schema(
        request=ReceiveSerializer, responses=PurchaseOrderSerializer, examples=[_RECEIPT]
    )
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: str) -> Response:
        """Receive goods against lines, partially or in full: each line posts a ``receipt``
        movement at its ``unit_cost`` and updates the moving-average cost. More than is
        still open on a line → 409 ``conflict``; the order becomes ``partially_received``
        or ``received``."""
        body = ReceiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order = services.purchase_order_receive(
            order=self.get_object(), lines=body.receipts(), user=self._user()
        )
        return self.respond(order)

    @_NO_BODY
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel a ``draft`` or ``submitted`` order; once anything is received → 409
        ``invalid_transition``."""
        return self.respond(
            services.purchase_order_cancel(order=self.get_object(), user=self._user())
        )

    @_NO_BODY
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """Close a ``partially_received`` or ``received`` order: no further receipts."""
        return self.respond(
            services.purchase_order_close(order=self.get_object(), user=self._user())
        )

    @extend_schema(
        request=ReturnToSupplierSerializer,
        responses=PurchaseOrderSerializer,
        description="Send received goods back to the supplier (partially received, received "
        "or closed orders; the status stays): negative `return` stock movements at each "
        "line's `unit_cost`, counted as the line's `quantity_returned`; the moving-average "
        "cost of what stays is the receipt reversed. More than received less already "
        "returned → 409 `conflict`; more than is available in the warehouse → 409 "
        "`insufficient_stock`; another status → 409 `invalid_transition`. Publishes "
        "`purchase_order.returned`.",
        examples=[_SUPPLIER_RETURN],
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request: Request, pk: str) -> Response:
        body = ReturnToSupplierSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order = services.purchase_order_return(
            order=self.get_object(), lines=body.receipts(), user=self._user()
        )
        return self.respond(order)

    @extend_schema(
        request=FromSuggestionsSerializer,
        responses={201: FromSuggestionsResultSerializer, 200: FromSuggestionsResultSerializer},
        description="Drafts one order per default supplier from the warehouse's reorder "
        "suggestions (201); products without an active default supplier are listed in "
        "``skipped``. Nothing to order: 200 with no orders.",
        examples=[OpenApiExample("For warehouse 1", value={"warehouse": 1}, request_only=True)],
    )
    @action(detail=False, methods=["post"], url_path="from-suggestions")
    def from_suggestions(self, request: Request) -> Response:
        body = FromSuggestionsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        orders, skipped = services.purchase_order_create_from_suggestions(
            warehouse=body.validated_data["warehouse"], user=self._user()
        )
        fresh = (
            selectors.purchase_order_list()
            .filter(pk__in=[order.pk for order in orders])
            .order_by("id")
        )
        result = FromSuggestionsResultSerializer(
            {"orders": fresh, "skipped": skipped}, context=self.get_serializer_context()
        )
        code = status.HTTP_201_CREATED if orders else status.HTTP_200_OK
        return Response(result.data, status=code)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("warehouse", int),
            OpenApiParameter("product", int),
            OpenApiParameter("supplier", int, description="The product's default supplier."),
        ]
    )
)
class ReorderSuggestionViewSet(viewsets.GenericViewSet[Any]):
    """Products to reorder per warehouse: ``available + on_order <= reorder_point``."""

    serializer_class = ReorderSuggestionSerializer
    read_capability = Capability.BUSINESS_VIEW
    filter_backends: list[Any] = []

    def list(self, request: Request) -> Response:
        query = ReorderSuggestionFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.reorder_suggestion_rows(
            warehouse_id=query.validated_data.get("warehouse"),
            product_id=query.validated_data.get("product"),
            supplier_id=query.validated_data.get("supplier"),
        )
        # A count, then the page's rows (LIMIT/OFFSET): only they are read into Python
        # and become suggestions, however many there are.
        page = selectors.reorder_suggestions(self.paginate_queryset(rows) or [])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
