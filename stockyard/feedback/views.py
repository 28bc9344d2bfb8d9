from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from stockyard.accounts.models import User
from stockyard.accounts.roles import Capability
from stockyard.feedback import selectors, services
from stockyard.feedback.models import Feedback
from stockyard.feedback.serializers import FeedbackSerializer


@extend_schema_view(
    create=extend_schema(
        description="Send feedback about Stockyard (any signed-in user). It is mailed to "
        "the operator's `FEEDBACK_EMAIL` when one is set.",
        examples=[
            OpenApiExample(
                "A rating from the sales order page",
                value={
                    "message": "Confirming is quick now, thanks!",
                    "page": "/app/sales-orders/12",
                    "rating": 5,
                },
                request_only=True,
            )
        ],
    ),
    list=extend_schema(description="Every feedback, newest first (administrators and managers)."),
    retrieve=extend_schema(description="One feedback (administrators and managers)."),
)
class FeedbackViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Feedback],
):
    """User feedback: anyone may send it, administrators and managers read it."""

    serializer_class = FeedbackSerializer
    read_capability = Capability.FEEDBACK_VIEW
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["rating", "user"]
    search_fields = ["message", "page"]
    ordering_fields = ["id", "created_at", "rating"]

    def get_queryset(self) -> QuerySet[Feedback]:
        return selectors.feedback_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.feedback_create(
            user=cast(User, self.request.user), **serializer.validated_data
        )
