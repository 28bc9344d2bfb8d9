from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stockyard.accounts.models import User
from stockyard.accounts.roles import Capability, roles_allow
from stockyard.core.errors import Conflict
from stockyard.core.streaming import StreamedDownload
from stockyard.core.views import ETagMixin
from stockyard.reporting import selectors, services
from stockyard.reporting.enums import ExportStatus, FileFormat
from stockyard.reporting.files import FILE_TYPES
from stockyard.reporting.models import Export, ReportSchedule
from stockyard.reporting.renderers import (
    REPORT_RENDERERS,
    ReportContentNegotiation,
    ReportJSONRenderer,
    TableFileRenderer,
)
from stockyard.reporting.reports.base import Report
from stockyard.reporting.schema import ReportSchema
from stockyard.reporting.serializers import (
    ExportAcceptedSerializer,
    ExportCreateSerializer,
    ExportSerializer,
    ReportScheduleSerializer,
    ScheduleRunSerializer,
)
from stockyard.reporting.tables import Table


class ReportView(APIView):
    """``GET /reports/<name>/``: one report as JSON, or as a CSV or XLSX download."""

    report: Report
    read_capability = Capability.REPORTS_VIEW
    renderer_classes = REPORT_RENDERERS
    content_negotiation_class = ReportContentNegotiation
    schema = ReportSchema()

    @classmethod
    def of(cls, report: Report) -> type["ReportView"]:
        return type(f"{report.name.title().replace('-', '')}ReportView", (cls,), {"report": report})

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        downloading = isinstance(request.accepted_renderer, TableFileRenderer)
        user = cast(User, request.user)
        if downloading and not roles_allow(user.roles, Capability.REPORTS_EXPORT):
            self.permission_denied(request, "Your roles do not allow downloading reports.")

    def get(self, request: Request) -> Response | StreamedDownload:
        renderer = request.accepted_renderer
        if isinstance(renderer, TableFileRenderer):
            found = services.report_file(
                report=self.report, params=request.query_params, file_format=renderer.file_format
            )
            return StreamedDownload(
                found.chunks, filename=found.name, content_type=found.media_type
            )
        return Response(services.report_run(report=self.report, params=request.query_params))

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response) and not isinstance(response.data, Table):
            # Errors are problem+json, whatever file was asked for.
            request.accepted_renderer = ReportJSONRenderer()
            request.accepted_media_type = ReportJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


_FILE_RESPONSES = {
    (200, FILE_TYPES[file_format].media_type): OpenApiTypes.BINARY for file_format in FileFormat
}


@extend_schema_view(
    list=extend_schema(description="Your exports, newest first (administrators: everyone's)."),
    retrieve=extend_schema(
        description="`status` is `pending`, `running`, `done` or `failed`; once done, "
        "`download_url` gives the file. Someone else's export is a 404."
    ),
)
class ExportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Export]
):
    """Report files built in the background, downloaded by the user who asked for them."""

    serializer_class = ExportSerializer
    read_capability = Capability.REPORTS_EXPORT
    write_capability = Capability.REPORTS_EXPORT
    lookup_value_regex = r"[0-9]+"
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Export]:
        return selectors.export_list(user=cast(User, self.request.user))

    @extend_schema(
        request=ExportCreateSerializer,
        responses={202: ExportAcceptedSerializer},
        description="Queue a report file. The parameters are checked now (400 "
        "`validation_error` on `params.<name>`) and the default period is resolved to dates.",
        examples=[
            OpenApiExample(
                "Sales per product in October, as a workbook",
                value={
                    "report": "sales",
                    "params": {
                        "group_by": "product",
                        "date_from": "2026-10-01",
                        "date_to": "2026-10-31",
                    },
                    "format": "xlsx",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request: Request) -> Response:
        body = ExportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        export = services.export_create(
            user=cast(User, request.user),
            report=body.validated_data["report"],
            params=body.validated_data["params"],
            file_format=FileFormat(body.validated_data["format"]),
        )
        export.refresh_from_db(fields=["status"])  # built already when tasks run inline
        return Response(
            ExportAcceptedSerializer(export).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(f"{request.path}{export.pk}/")},
        )

    @extend_schema(
        responses={**_FILE_RESPONSES, 409: None},
        description="The file, as an attachment. Not built yet (or failed) → 409 `conflict`.",
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> FileResponse:
        export = self.get_object()
        if export.status != ExportStatus.DONE:
            raise Conflict(f"The export is {export.status}; download it once it is done.")
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=export.file_name,
            content_type=FILE_TYPES[FileFormat(export.format)].content_type,
        )


_SCHEDULE = OpenApiExample(
    "Weekly sales to two managers, Mondays 07:00 in the business's time zone",
    value={
        "name": "Weekly sales",
        "report": "sales",
        "params": {"group_by": "day"},
        "format": "xlsx",
        "frequency": "weekly",
        "hour": 7,
        "recipients": ["ops@example.com", "owner@example.com"],
    },
    request_only=True,
)


@extend_schema_view(
    create=extend_schema(examples=[_SCHEDULE]),
    update=extend_schema(examples=[_SCHEDULE]),
)
class ReportScheduleViewSet(ETagMixin, viewsets.ModelViewSet[ReportSchedule]):
    """Reports emailed as attachments every day, week (Mondays) or month (the 1st) at
    `hour`:00 in the business's time zone (`TIME_ZONE`), or in the zone `params.tz` names.
    Without dates in `params` a run covers the day, 7 days or month before, as days in
    that zone."""

    serializer_class = ReportScheduleSerializer
    read_capability = Capability.SCHEDULES_MANAGE
    write_capability = Capability.SCHEDULES_MANAGE
    filterset_fields = ["report", "frequency", "is_active"]
    search_fields = ["name"]
    ordering_fields = ["name", "id", "next_run_at", "last_run_at"]

    def get_queryset(self) -> QuerySet[ReportSchedule]:
        return selectors.report_schedule_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.report_schedule_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.report_schedule_update(
            schedule=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: ReportSchedule) -> None:
        services.report_schedule_delete(schedule=instance)

    @extend_schema(
        request=None,
        responses={202: ScheduleRunSerializer},
        description="Email the report now, in the background (the next scheduled run "
        "stays as it is).",
    )
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: str) -> Response:
        schedule = self.get_object()
        requested_at = services.report_schedule_request_run(schedule=schedule)
        body = {"id": schedule.pk, "status": "queued", "requested_at": requested_at}
        return Response(ScheduleRunSerializer(body).data, status=status.HTTP_202_ACCEPTED)
