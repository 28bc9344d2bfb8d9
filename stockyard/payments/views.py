from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stockyard.accounts.roles import Capability
from stockyard.payments import selectors, services
from stockyard.payments.models import Payment
from stockyard.payments.serializers import (
    CheckoutSerializer,
    ManualPaymentSerializer,
    PaymentSerializer,
    WebhookReceiptSerializer,
)

_PAYMENT = {
    "id": 31,
    "sales_order": 12,
    "sales_order_number": "SO-000012",
    "amount": "150.00",
    "amount_refunded": "0.00",
    "currency": "USD",
    "method": "manual",
    "status": "succeeded",
    "provider": "manual",
    "provider_reference": "",
    "note": "Bank transfer ref 2026-1142",
    "created_at": "2026-12-01T10:00:00Z",
}


@extend_schema_view(
    list=extend_schema(
        description="Payments, newest first; filter by `sales_order`, `status`, `method`, "
        "`provider`; `search` in references, notes and order numbers."
    ),
    retrieve=extend_schema(
        description="One payment.",
        examples=[OpenApiExample("A bank transfer", value=_PAYMENT, response_only=True)],
    ),
)
class PaymentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Payment],
):
    """Money received for sales orders: manual payments recorded here, card payments
    through Stripe (see `sales-orders/{id}/checkout/`)."""

    serializer_class = PaymentSerializer
    read_capability = Capability.BUSINESS_VIEW
    write_capability = Capability.SALES_MANAGE
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["sales_order", "status", "method", "provider"]
    search_fields = ["provider_reference", "note", "sales_order__number"]
    ordering_fields = ["id", "created_at", "amount"]

    def get_queryset(self) -> QuerySet[Payment]:
        return selectors.payment_list()

    @extend_schema(
        request=ManualPaymentSerializer,
        responses={201: PaymentSerializer},
        description="Record a manual payment (bank transfer, cash) on a confirmed order; it "
        "succeeds at once and the order's `amount_paid` and `payment_status` follow. More "
        "than is still due → 409 `conflict`; an order that is draft or cancelled → 409 "
        "`invalid_transition`.",
        examples=[
            OpenApiExample(
                "A bank transfer",
                value={
                    "sales_order": 12,
                    "amount": "150.00",
                    "note": "Bank transfer ref 2026-1142",
                },
                request_only=True,
            ),
            OpenApiExample("Recorded", value=_PAYMENT, response_only=True, status_codes=["201"]),
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ManualPaymentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        payment = services.payment_create_manual(
            order_id=body.validated_data["sales_order"].pk,
            amount=body.validated_data["amount"],
            note=body.validated_data["note"],
            user=request.user,
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class CheckoutView(APIView):
    """``POST /sales-orders/{id}/checkout/``: start a card payment through Stripe."""

    write_capability = Capability.SALES_MANAGE

    @extend_schema(
        operation_id="sales_orders_checkout",
        request=None,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={
            201: CheckoutSerializer,
            409: OpenApiResponse(
                description="Card payments not configured, nothing due (`conflict`), or the "
                "order not confirmed (`invalid_transition`)."
            ),
            502: OpenApiResponse(
                description="Stripe refused or did not answer (`payment_provider_error`); "
                "the payment is marked failed."
            ),
        },
        description="Open a card payment of what is still due (less card payments under "
        "way) as a Stripe PaymentIntent; confirm it in the browser with Stripe.js and "
        "`client_secret`. The payment stays `pending` until Stripe's webhook says it "
        "succeeded or failed. Card payments not configured (no `STRIPE_SECRET_KEY`), "
        "nothing due, or an order not confirmed → 409; Stripe refusing → 502 "
        "`payment_provider_error`.",
        examples=[
            OpenApiExample(
                "A PaymentIntent for the rest of the order",
                value={
                    "client_secret": "pi_3Q_secret_Xy",
                    "payment": {
                        **_PAYMENT,
                        "method": "card",
                        "status": "pending",
                        "provider": "stripe",
                        "provider_reference": "pi_3Q",
                        "note": "",
                    },
                },
                response_only=True,
                status_codes=["201"],
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        payment, client_secret = services.payment_checkout(order_id=pk, user=request.user)
        body = {"client_secret": client_secret, "payment": payment}
        return Response(CheckoutSerializer(body).data, status=status.HTTP_201_CREATED)


class StripeWebhookView(APIView):
    """``POST /payments/stripe/webhook/``: events from Stripe, signed, applied once."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes: list[type] = []

    @extend_schema(
        operation_id="payments_stripe_webhook",
        request={"application/json": {"type": "object", "description": "A Stripe event."}},
        parameters=[
            OpenApiParameter(
                "Stripe-Signature",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="`t=<unix>,v1=<hex HMAC-SHA256>` made by Stripe with the "
                "endpoint's signing secret (`STRIPE_WEBHOOK_SECRET`).",
            )
        ],
        responses={
            200: WebhookReceiptSerializer,
            400: OpenApiResponse(
                description="`Stripe-Signature` missing, forged, made with another secret or "
                "older than 5 minutes (`invalid_signature`)."
            ),
            409: OpenApiResponse(description="Webhooks not configured (`conflict`)."),
        },
        auth=[],
        description="Stripe's webhook endpoint (no user credentials: the signature is "
        "the authentication). Applies `payment_intent.succeeded`, "
        "`payment_intent.payment_failed` and `charge.refunded`; acknowledges other types. "
        "Each event id is applied once, however often or concurrently it is delivered. "
        "A signature that does not verify (or is older than 5 minutes) → 400 "
        "`invalid_signature`; webhooks not configured → 409.",
        examples=[
            OpenApiExample("Applied", value={"received": True, "applied": True}, response_only=True)
        ],
    )
    def post(self, request: Request) -> Response:
        applied = services.stripe_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
        return Response(WebhookReceiptSerializer({"received": True, "applied": applied}).data)
