from django.contrib import admin
from django.http import HttpRequest

from stockyard.events.models import Event, Webhook, WebhookDelivery


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ["id", "type", "occurred_at"]
    list_filter = ["type"]
    readonly_fields = ["type", "occurred_at", "data"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin[Webhook]):
    """Created and edited through the API (which checks the target and takes the secret);
    here they can be looked at and switched off."""

    list_display = ["id", "url", "is_active", "created_at"]
    list_filter = ["is_active"]
    fields = ["url", "events", "is_active", "created_at", "updated_at"]
    readonly_fields = ["url", "events", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ["id", "webhook", "event", "status", "attempts", "next_attempt_at"]
    list_filter = ["status"]
    list_select_related = ["webhook", "event"]
    readonly_fields = [
        "webhook",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: WebhookDelivery | None = None
    ) -> bool:
        return False
