"""The shapes of the reporting API. Report parameters are checked by the services."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stockyard.reporting.enums import ColumnKind, ExportStatus, FileFormat
from stockyard.reporting.models import Export, ReportSchedule
from stockyard.reporting.reports.registry import REPORTS

_PARAMS_HELP = (
    "The report's query parameters as an object, e.g. "
    '`{"group_by": "week", "warehouse": 1}`; checked against the report.'
)


class ColumnSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ColumnKind.choices)


class ReportTableSerializer(serializers.Serializer[Any]):
    """A report as JSON (documentation only: ``files.table_json`` renders it)."""

    report = serializers.CharField()
    params = serializers.DictField(help_text="The parameters used, defaults filled in.")
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(
        child=serializers.DictField(), help_text="One object per row, keyed by column name."
    )
    totals = serializers.DictField(help_text="Totals over every row (not a sum of rows).")


class ExportCreateSerializer(serializers.Serializer[Any]):
    report = serializers.ChoiceField(choices=list(REPORTS))
    params = serializers.JSONField(required=False, default=dict, help_text=_PARAMS_HELP)
    format = serializers.ChoiceField(choices=FileFormat.choices)


class ExportSerializer(serializers.ModelSerializer[Export]):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id",
            "status",
            "report",
            "params",
            "format",
            "download_url",
            "file_name",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, export: Export) -> str | None:
        """Where the owner downloads the file, once ``status`` is ``done``."""
        if export.status != ExportStatus.DONE:
            return None
        path = reverse("export-download", kwargs={"pk": export.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ExportAcceptedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ExportStatus.choices)


class ReportScheduleSerializer(serializers.ModelSerializer[ReportSchedule]):
    report = serializers.ChoiceField(choices=list(REPORTS))
    params = serializers.JSONField(required=False, help_text=_PARAMS_HELP)
    hour = serializers.IntegerField(
        min_value=0,
        max_value=23,
        help_text="Hour of the day (0-23) in the business's time zone (TIME_ZONE), or in the "
        "zone `params.tz` names.",
    )
    recipients = serializers.ListField(
        child=serializers.EmailField(), allow_empty=False, max_length=50
    )

    class Meta:
        model = ReportSchedule
        fields = [
            "id",
            "name",
            "report",
            "params",
            "format",
            "frequency",
            "hour",
            "recipients",
            "is_active",
            "last_run_at",
            "last_error",
            "last_error_at",
            "next_run_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "last_run_at",
            "last_error",
            "last_error_at",
            "next_run_at",
            "created_at",
            "updated_at",
        ]


class ScheduleRunSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField(default="queued")
    requested_at = serializers.DateTimeField()
