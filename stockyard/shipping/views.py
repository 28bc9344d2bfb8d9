from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from stockyard.accounts.roles import Capability
from stockyard.core.views import DocumentViewSet
from stockyard.shipping import selectors, services
from stockyard.shipping.models import Shipment
from stockyard.shipping.serializers import ShipmentSerializer, TrackingEventSerializer

CREATE_EXAMPLE = OpenApiExample(
    "Part of an order in one box",
    value={
        "sales_order": 7,
        "carrier": "UPS",
        "service": "ground",
        "packages": [{"weight_kg": "2.5", "length_cm": "40", "width_cm": "30", "height_cm": "20"}],
        "lines": [{"sales_order_line": 21, "quantity": "2"}],
    },
    request_only=True,
)
TRACKING_EXAMPLE = OpenApiExample(
    "In transit",
    value={
        "status": "in_transit",
        "description": "Departed facility",
        "occurred_at": "2026-03-02T08:15:00Z",
        "location": "Louisville, KY",
    },
    request_only=True,
)


@extend_schema_view(
    create=extend_schema(
        description="A pending shipment of lines of one confirmed or partially shipped "
        "sales order. Lines of another order → 400; more than is left to ship (ordered - "
        "shipped - cancelled - still backordered - held by other pending shipments) → 409 "
        "`conflict`; an order that is not confirmed or partially shipped (a closed one, say) "
        "→ 409 `invalid_transition`.",
        examples=[CREATE_EXAMPLE],
    ),
    partial_update=extend_schema(
        description="Carrier, service and tracking until cancelled; packages (replacing all "
        "of them) only while pending. Lines and the sales order are fixed."
    ),
)
class ShipmentViewSet(DocumentViewSet[Shipment]):
    """Shipments of sales orders. They are cancelled, never deleted."""

    serializer_class = ShipmentSerializer
    selector = staticmethod(selectors.shipment_list)
    transitions = frozenset({"ship", "deliver", "cancel", "tracking_events"})
    read_capability = Capability.BUSINESS_VIEW
    write_capability = Capability.SHIPPING_MANAGE
    filterset_fields = ["status", "sales_order", "carrier", "tracking_number"]
    search_fields = ["number", "tracking_number", "sales_order__number"]
    ordering_fields = ["id", "number", "shipped_at", "delivered_at", "created_at"]
    ordering = ["-id"]

    def perform_create(self, serializer: Any) -> None:
        shipment = services.shipment_create(user=self.request.user, **serializer.validated_data)
        serializer.instance = self.shown(shipment)

    def perform_update(self, serializer: Any) -> None:
        shipment = services.shipment_update(
            shipment=serializer.instance, user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.shown(shipment)

    @extend_schema(
        request=None,
        responses=ShipmentSerializer,
        description="Pending → shipped: `shipment` stock movements (on_hand and reserved go "
        "down); the order becomes `partially_shipped` or `shipped`.",
    )
    @action(detail=True, methods=["post"])
    def ship(self, request: Request, pk: str | None = None) -> Response:
        return self.respond(services.shipment_ship(shipment=self.get_object(), user=request.user))

    @extend_schema(
        request=None,
        responses=ShipmentSerializer,
        description="Shipped → delivered; the order becomes `delivered` when it is fully "
        "shipped and all its shipments (not cancelled) are delivered.",
    )
    @action(detail=True, methods=["post"])
    def deliver(self, request: Request, pk: str | None = None) -> Response:
        return self.respond(
            services.shipment_deliver(shipment=self.get_object(), user=request.user)
        )

    @extend_schema(request=None, responses=ShipmentSerializer, description="Only while pending.")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self.respond(services.shipment_cancel(shipment=self.get_object(), user=request.user))

    @extend_schema(
        request=TrackingEventSerializer,
        responses={201: TrackingEventSerializer},
        description="Append what the carrier reported (not on cancelled shipments).",
        examples=[TRACKING_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="tracking-events")
    def tracking_events(self, request: Request, pk: str | None = None) -> Response:
        serializer = TrackingEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.shipment_add_tracking_event(
            shipment=self.get_object(), user=request.user, **serializer.validated_data
        )
        return Response(TrackingEventSerializer(event).data, status=status.HTTP_201_CREATED)
