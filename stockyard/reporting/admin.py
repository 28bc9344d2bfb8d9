"""Exports in the Django admin: shown, not edited by hand."""

from django.contrib import admin

from stockyard.core.admin import ReadOnlyAdminMixin
from stockyard.reporting.models import Export


@admin.register(Export)
class ExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Export]):
    list_display = ["id", "report", "format", "status", "owner", "created_at", "finished_at"]
    list_filter = ["status", "report", "format"]
    search_fields = ["owner__username", "file_name"]
    list_select_related = ["owner"]
