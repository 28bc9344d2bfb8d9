from django.contrib import admin

from stockyard.core.admin import ReadOnlyAdminMixin
from stockyard.payments.models import Payment, ProviderEvent, Refund


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Payment]):
    list_display = ["id", "sales_order", "amount", "currency", "method", "status", "created_at"]
    list_filter = ["status", "method", "provider"]
    search_fields = ["provider_reference", "sales_order__number", "note"]
    list_select_related = ["sales_order"]


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ProviderEvent]):
    list_display = ["event_id", "provider", "type", "received_at"]
    list_filter = ["provider", "type"]
    search_fields = ["event_id"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Refund]):
    list_display = ["reference", "sales_order", "requested", "amount", "currency", "created_at"]
    search_fields = ["reference", "sales_order__number"]
    list_select_related = ["sales_order"]
