"""Exports and report schedules in the Django admin: shown, not edited by hand.

Schedules are written through the API, where their parameters are checked against the
report; the admin lists them and can send one now.
"""

from django.contrib import admin

from stockyard.core.admin import ReadOnlyAdminMixin, transition_action
from stockyard.reporting import services
from stockyard.reporting.models import Export, ReportSchedule


@admin.register(Export)
class ExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Export]):
    list_display = ["id", "report", "format", "status", "owner", "created_at", "finished_at"]
    list_filter = ["status", "report", "format"]
    search_fields = ["owner__username", "file_name"]
    list_select_related = ["owner"]


@admin.register(ReportSchedule)
class ReportScheduleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ReportSchedule]):
    list_display = ["name", "report", "format", "frequency", "hour", "is_active", "next_run_at"]
    list_filter = ["report", "frequency", "is_active"]
    search_fields = ["name"]
    actions = [
        transition_action(
            "send_now",
            "Send now",
            lambda schedule, request: services.report_schedule_request_run(schedule=schedule),
        )
    ]
