from collections.abc import Callable
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from stockyard.accounts.roles import Capability
from stockyard.core.views import DocumentViewSet
from stockyard.sales import returns, selectors, services
from stockyard.sales.models import CustomerReturn, SalesOrder
from stockyard.sales.serializers import CustomerReturnSerializer, SalesOrderSerializer

CREATE_EXAMPLE = OpenApiExample(
    "Two lines, one discounted",
    value={
        "customer": 3,
        "warehouse": 1,
        "notes": "Deliver before noon",
        "lines": [
            {"product": 12, "quantity": "2", "tax_rate": "20.00"},
            {"product": 15, "quantity": "1.5", "unit_price": "9.99", "discount_percent": "10"},
        ],
    },
    request_only=True,
)
SHORT_STOCK_EXAMPLE = OpenApiExample(
    "Not enough stock",
    value={
        "type": "urn:stockyard:problem:insufficient_stock",
        "title": "Insufficient stock",
        "status": 409,
        "detail": "Not enough stock for 1 line.",
        "code": "insufficient_stock",
        "errors": {
            "lines.1.quantity": [
                "Only 1.000 of SKU-7 available in warehouse MAIN; 2.000 requested."
            ]
        },
    },
    response_only=True,
    status_codes=["409"],
)

CLOSED_EXAMPLE = OpenApiExample(
    "Closed after shipping 4 of 10",
    value={
        "id": 7,
        "number": "SO-000007",
        "status": "closed",
        "lines": [
            {
                "id": 31,
                "product": 12,
                "quantity": "10.000",
                "quantity_shipped": "4.000",
                "quantity_cancelled": "6.000",
            }
        ],
    },
    response_only=True,
    status_codes=["200"],
)


@extend_schema_view(
    create=extend_schema(
        description="A draft order. `unit_price` defaults to the product's price, "
        "`shipping_address` to the customer's.",
        examples=[CREATE_EXAMPLE],
    ),
    partial_update=extend_schema(
        description="Lines (replacing all of them), customer, warehouse, currency and "
        "order date only while `draft` (else 409 `invalid_transition`); the shipping address until "
        "something ships; notes always."
    ),
)
class SalesOrderViewSet(DocumentViewSet[SalesOrder]):
    """Sales orders. They are cancelled, never deleted."""

    serializer_class = SalesOrderSerializer
    selector = staticmethod(selectors.sales_order_list)
    transitions = frozenset({"confirm", "cancel", "close"})
    read_capability = Capability.BUSINESS_VIEW
    write_capability = Capability.SALES_MANAGE
    filterset_fields = {
        "status": ["exact", "in"],
        "customer": ["exact"],
        "warehouse": ["exact"],
        "order_date": ["exact", "gte", "lte"],
    }
    search_fields = ["number", "customer__name"]
    ordering_fields = ["id", "number", "order_date", "total", "confirmed_at", "created_at"]
    ordering = ["-id"]

    def shown(self, document: SalesOrder) -> SalesOrder:
        """The services hand orders back with everything the representation needs."""
        return document

    def transition(self, service: Callable[..., SalesOrder]) -> Response:
        """Answer the order after ``service(order=..., user=...)`` moved it on. The service
        reads the order under its row lock first thing, so the order is not read before:
        the service gets a stand-in holding the id from the URL, and an id of no order is
        a 404 as ``get_object`` would answer it."""
        try:
            order = service(order=SalesOrder(pk=self.kwargs["pk"]), user=self.request.user)
        except SalesOrder.DoesNotExist:
            raise Http404 from None
        return self.respond(order)

    def perform_create(self, serializer: Any) -> None:
        order = services.sales_order_create(user=self.request.user, **serializer.validated_data)
        serializer.instance = self.shown(order)

    def perform_update(self, serializer: Any) -> None:
        order = services.sales_order_update(
            order=serializer.instance, user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.shown(order)

    @extend_schema(
        request=None,
        responses=SalesOrderSerializer,
        description="Draft → confirmed: reserves every line in the order's warehouse, all or "
        "nothing (409 `insufficient_stock` naming the short lines) — unless the order has "
        "`allow_backorder`: then what is available is reserved and the rest of each line "
        "is its `quantity_backordered`, reserved as stock arrives in the warehouse, oldest "
        "confirmation first (event `sales_order.backorder_filled`). Over the customer's "
        "credit limit → 409 `conflict`.",
        examples=[SHORT_STOCK_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        return self.transition(services.sales_order_confirm)

    @extend_schema(
        request=None,
        responses=SalesOrderSerializer,
        description="Draft or confirmed → cancelled, releasing reservations; after any "
        "shipment → 409 `invalid_transition`.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self.transition(services.sales_order_cancel)

    @extend_schema(
        request=None,
        responses=SalesOrderSerializer,
        description="Confirmed or partially shipped → closed: the order stops where it is. "
        "What is unshipped is released from the warehouse and recorded as each line's "
        "`quantity_cancelled`; the order no longer counts against the customer's credit, "
        "and shipping more of it → 409 `invalid_transition`. Any other status → 409 "
        "`invalid_transition`.",
        examples=[CLOSED_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self.transition(services.sales_order_close)


RETURN_EXAMPLE = OpenApiExample(
    "Two units back, one of them broken",
    value={
        "sales_order": 7,
        "reason": "Wrong size; one arrived broken",
        "lines": [
            {"sales_order_line": 31, "quantity": "1", "disposition": "restock"},
            {"sales_order_line": 32, "quantity": "1", "disposition": "scrap"},
        ],
    },
    request_only=True,
)
RECEIVED_EXAMPLE = OpenApiExample(
    "Received",
    value={
        "id": 4,
        "number": "RMA-000004",
        "sales_order": 7,
        "sales_order_number": "SO-000007",
        "warehouse": 1,
        "status": "received",
        "reason": "Wrong size; one arrived broken",
        "lines": [
            {
                "id": 9,
                "sales_order_line": 31,
                "product": 12,
                "quantity": "1.000",
                "disposition": "restock",
                "unit_cost": "4.2500",
                "refund_amount": "12.00",
            },
            {
                "id": 10,
                "sales_order_line": 32,
                "product": 15,
                "quantity": "1.000",
                "disposition": "scrap",
                "unit_cost": "2.0000",
                "refund_amount": "9.99",
            },
        ],
        "refund_total": "21.99",
        "received_at": "2026-11-20T10:04:00Z",
        "created_at": "2026-11-18T16:30:00Z",
        "updated_at": "2026-11-20T10:04:00Z",
    },
    response_only=True,
    status_codes=["200"],
)
OVER_RETURN_EXAMPLE = OpenApiExample(
    "More than was shipped",
    value={
        "type": "urn:stockyard:problem:conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "The return asks for more than was shipped on sales order SO-000007.",
        "code": "conflict",
        "errors": {
            "lines.0.quantity": [
                "Only 2.000 of order line 31 can come back: 4.000 shipped, 2.000 returned, "
                "0 in requested returns."
            ]
        },
    },
    response_only=True,
    status_codes=["409"],
)


@extend_schema_view(
    create=extend_schema(
        description="A requested return (RMA) of shipped lines of one sales order. "
        "`refund_total` is the lines' share of the order lines' `line_total`. Lines of "
        "another order → 400; more than shipped less already returned (or claimed by "
        "requested returns) → 409 `conflict`. Publishes `return.requested`.",
        examples=[RETURN_EXAMPLE, OVER_RETURN_EXAMPLE],
    ),
)
class CustomerReturnViewSet(DocumentViewSet[CustomerReturn]):
    """Customer returns (RMA): requested → received or cancelled; never edited or deleted."""

    serializer_class = CustomerReturnSerializer
    selector = staticmethod(selectors.customer_return_list)
    transitions = frozenset({"receive", "cancel"})
    http_method_names = ["get", "post", "head", "options"]
    read_capability = Capability.BUSINESS_VIEW
    write_capability = Capability.RETURNS_MANAGE
    filterset_fields = ["status", "sales_order", "warehouse"]
    search_fields = ["number", "sales_order__number"]
    ordering_fields = ["id", "number", "received_at", "created_at"]
    ordering = ["-id"]

    def perform_create(self, serializer: Any) -> None:
        customer_return = returns.customer_return_request(
            user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.shown(customer_return)

    @extend_schema(
        request=None,
        responses=CustomerReturnSerializer,
        description="Requested → received: `restock` lines go back into stock as `return` "
        "movements at the unit cost the goods left with (filling backorders waiting "
        "there), `scrap` lines do not; each line counts as returned on its order line. "
        "`refund_total` is fixed and published with `return.received`, and once the "
        "receipt commits it is paid back (once per return, at most what the order was "
        "paid, newest payment first: card payments through Stripe, manual ones recorded as "
        "paid back by hand); the order's `amount_paid` and `payment_status` follow. Any "
        "other status → 409 `invalid_transition`.",
        examples=[RECEIVED_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: str | None = None) -> Response:
        return self.respond(
            returns.customer_return_receive(customer_return=self.get_object(), user=request.user)
        )

    @extend_schema(
        request=None,
        responses=CustomerReturnSerializer,
        description="Requested → cancelled: the goods are not coming back. Any other status "
        "→ 409 `invalid_transition`.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self.respond(
            returns.customer_return_cancel(customer_return=self.get_object(), user=request.user)
        )
