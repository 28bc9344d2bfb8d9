from django.contrib import admin

from stockyard.core.admin import ReadOnlyAdminMixin
from stockyard.imports.models import Import


@admin.register(Import)
class ImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Import]):
    list_display = ["id", "kind", "status", "dry_run", "rows_total", "owner", "created_at"]
    list_filter = ["status", "kind", "dry_run"]
    search_fields = ["file_name", "owner__username"]
    list_select_related = ["owner"]
