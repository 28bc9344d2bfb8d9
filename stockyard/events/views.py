from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from stockyard.accounts.roles import Capability
from stockyard.core.async_views import AsyncAPIView
from stockyard.events.serializers import FeedQuerySerializer, FeedSerializer
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
