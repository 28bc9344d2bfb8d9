from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stockyard.events.models import DeliveryStatus, Event, Webhook, WebhookAttempt
from stockyard.events.patterns import MAX_PATTERNS, pattern_error

MAX_WAIT_SECONDS = 30


class EventSerializer(serializers.ModelSerializer[Event]):
    """An event as every channel shows it: long-poll, WebSocket frame, webhook body."""

    class Meta:
        model = Event
        fields = ["id", "type", "occurred_at", "data"]
        read_only_fields = fields


class TypePatternField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        pattern = super().to_internal_value(data)
        if error := pattern_error(pattern):
            raise serializers.ValidationError(error)
        return pattern


class TypePatternListField(serializers.ListField):
    """A list of event type patterns: ``["sales_order.*", "stock.changed"]``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_PATTERNS)
        super().__init__(child=TypePatternField(), **kwargs)


class CommaSeparatedPatternsField(TypePatternListField):
    """Type patterns in a query parameter: ``types=sales_order.*,stock.*``."""

    def to_internal_value(self, data: Any) -> list[str]:
        items = [data] if isinstance(data, str) else data  # ?types=a,b or ?types=a&types=b
        if isinstance(items, list) and all(isinstance(item, str) for item in items):
            items = [part.strip() for item in items for part in item.split(",") if part.strip()]
        return super().to_internal_value(items)


class FeedQuerySerializer(serializers.Serializer[Any]):
    after = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="The cursor of your previous answer. Without it: no events and the "
        "cursor of the present end, to follow from now.",
    )
    types = CommaSeparatedPatternsField(
        required=False,
        default=list,
        help_text="Comma-separated type patterns: stock.changed, sales_order.*, *.",
    )
    wait = serializers.IntegerField(
        min_value=0,
        max_value=MAX_WAIT_SECONDS,
        default=0,
        help_text="Seconds to wait for the first event when none is there yet (0-30).",
    )


class SubscribeSerializer(serializers.Serializer[Any]):
    """A WebSocket client's message: which event types to push from now on."""

    subscribe = TypePatternListField(allow_empty=False)


class FeedSerializer(serializers.Serializer[Any]):
    """A ``selectors.FeedPage``."""

    results = EventSerializer(many=True, source="events")
    cursor = serializers.IntegerField(help_text="Pass as ``after`` next time.")


class WebhookSerializer(serializers.ModelSerializer[Webhook]):
    events = TypePatternListField(
        allow_empty=False, help_text="Event type patterns: stock.changed, sales_order.*, *."
    )
    secret = serializers.CharField(
        write_only=True,
        min_length=16,
        max_length=256,
        help_text="Signs every delivery (HMAC-SHA256); write only.",
    )

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "secret", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class WebhookAttemptSerializer(serializers.ModelSerializer[WebhookAttempt]):
    event = serializers.IntegerField(source="delivery.event_id")
    event_type = serializers.CharField(source="delivery.event.type")
    delivery = serializers.IntegerField(source="delivery_id")
    delivery_status = serializers.ChoiceField(
        source="delivery.status", choices=DeliveryStatus.choices
    )
    next_attempt_at = serializers.SerializerMethodField()

    class Meta:
        model = WebhookAttempt
        fields = [
            "id",
            "event",
            "event_type",
            "status_code",
            "error",
            "attempted_at",
            "duration_ms",
            "delivery",
            "delivery_status",
            "next_attempt_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_attempt_at(self, attempt: WebhookAttempt) -> Any:
        """When the delivery will be tried again; null once delivered or given up."""
        delivery = attempt.delivery
        if delivery.status != DeliveryStatus.PENDING:
            return None
        return serializers.DateTimeField().to_representation(delivery.next_attempt_at)
