from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from stockyard.accounts.roles import Capability
from stockyard.core.async_views import AsyncAPIView
from stockyard.core.views import ETagMixin
from stockyard.events import selectors, webhooks
from stockyard.events.models import Webhook
from stockyard.events.serializers import (
    FeedQuerySerializer,
    FeedSerializer,
    WebhookAttemptSerializer,
    WebhookSerializer,
)
from stockyard.events.waiting import event_feed_wait

_FEED_EXAMPLE = OpenApiExample(
    "One stock change after cursor 41",
    value={
        "results": [
            {
                "id": 977,
                "type": "stock.changed",
                "occurred_at": "2026-11-22T09:30:12.481Z",
                "data": {
                    "product": 12,
                    "warehouse": 1,
                    "on_hand": "40.000",
                    "reserved": "5.000",
                    "available": "35.000",
                },
            }
        ],
        "cursor": 42,
    },
    response_only=True,
)


class EventFeedView(AsyncAPIView):
    """The event feed as a long-poll: follow ``cursor`` to see every event once."""

    read_capability = Capability.EVENTS_VIEW

    @extend_schema(
        operation_id="events_list",
        parameters=[
            FeedQuerySerializer,
            OpenApiParameter(
                "types",
                str,
                description="Comma-separated type patterns: a type (``stock.changed``), a "
                "family (``sales_order.*``) or ``*``. Default: every event.",
                examples=[OpenApiExample("Orders and stock", value="sales_order.*,stock.*")],
            ),
        ],
        responses=FeedSerializer,
        examples=[_FEED_EXAMPLE],
        description="Events after ``after`` in feed order, at most 500, waiting up to "
        "``wait`` seconds for the first one. Without ``after``: no events and the cursor "
        "of the present end. Pass the answer's ``cursor`` as ``after`` next time: a "
        "client that does never misses an event and never sees one twice.",
    )
    async def get(self, request: Request) -> Response:
        query = FeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        page = await event_feed_wait(
            after=params.get("after"), types=params["types"], wait=params["wait"]
        )
        return Response(FeedSerializer(page).data)


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "Orders and stock to an integration",
                value={
                    "url": "https://hooks.example.com/stockyard",
                    "events": ["sales_order.*", "stock.changed"],
                    "secret": "whsec_2f9c1d7e4b8a6f3e",
                },
                request_only=True,
            )
        ],
        description="Targets on loopback, private, link-local or reserved addresses are "
        "refused (400) unless `WEBHOOK_ALLOW_PRIVATE_TARGETS`.",
    ),
)
class WebhookViewSet(ETagMixin, viewsets.ModelViewSet[Webhook]):
    """Webhooks: signed POSTs of the events matching ``events``, retried for 24 h."""

    serializer_class = WebhookSerializer
    read_capability = Capability.WEBHOOKS_MANAGE
    write_capability = Capability.WEBHOOKS_MANAGE
    filterset_fields = ["is_active"]
    search_fields = ["url"]
    ordering_fields = ["id", "url", "created_at"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Webhook]:
        return selectors.webhook_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = webhooks.webhook_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = webhooks.webhook_update(
            webhook=serializer.instance, **serializer.validated_data
        )

    @extend_schema(
        responses=WebhookAttemptSerializer(many=True),
        filters=False,
        description="Every delivery attempt to this webhook, newest first: the event, the "
        "answer's status code (null when none came: see ``error``), and when the "
        "delivery will be tried again.",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request: Request, pk: str) -> Response:
        attempts = selectors.webhook_attempt_list(webhook=self.get_object())
        page = self.paginate_queryset(attempts)
        return self.get_paginated_response(WebhookAttemptSerializer(page, many=True).data)
