from typing import Any

from rest_framework import serializers

from stockyard.audit.actions import action_choices
from stockyard.audit.selectors import tracked_event_models

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


class AuditLogQuerySerializer(serializers.Serializer[Any]):
    object_type = serializers.ChoiceField(
        choices=[], required=False, help_text="Only entries about this kind of object."
    )
    object_id = serializers.IntegerField(
        min_value=1, required=False, help_text="Only entries about the object with this id."
    )
    actor = serializers.IntegerField(
        min_value=1, required=False, help_text="Only changes made by the user with this id."
    )
    date_from = serializers.DateField(
        required=False, help_text="From this day (in `TIME_ZONE`), included."
    )
    date_to = serializers.DateField(
        required=False, help_text="Up to this day (in `TIME_ZONE`), included."
    )
    before = serializers.IntegerField(
        min_value=1, required=False, help_text="Entries older than this id (the `next` link)."
    )
    after = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="Entries just newer than this id (the `previous` link).",
    )
    page_size = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = list(tracked_event_models())  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("before") is not None and attrs.get("after") is not None:
            raise serializers.ValidationError({"after": ["Give `before` or `after`, not both."]})
        return attrs


class AuditLogEntrySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="Unique across the whole trail; later is larger.")
    occurred_at = serializers.DateTimeField(help_text="When the row was written (UTC).")
    actor = serializers.IntegerField(
        allow_null=True, help_text="Id of the user who made it; null for commands and tasks."
    )
    actor_username = serializers.CharField(allow_null=True)
    request_id = serializers.CharField(
        allow_null=True, help_text="The `X-Request-ID` of the HTTP request that made it."
    )
    source = serializers.CharField(  # type: ignore[assignment]  # a field, named like Field.source
        allow_null=True,
        help_text="What made it outside a request: `command:<name>` or `task:<name>`.",
    )
    action = serializers.ChoiceField(
        choices=action_choices(),
        help_text="`create`, `update`, `delete`, or the transition an update of `status` "
        "made (`confirm`, `ship`, `receive`, ...).",
    )
    object_type = serializers.CharField(help_text="The kind of object, e.g. `sales_order`.")
    object_id = serializers.IntegerField()
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(allow_null=True), min_length=2),
        help_text="`{field: [old, new]}`; a created object shows every field with old "
        "null, a deleted one every field with new null. Encrypted fields are masked "
        '(`"••••1234"`).',
    )


class AuditLogPageSerializer(serializers.Serializer[Any]):
    next = serializers.URLField(allow_null=True, help_text="Older entries.")
    previous = serializers.URLField(allow_null=True, help_text="Newer entries.")
    results = AuditLogEntrySerializer(many=True)
