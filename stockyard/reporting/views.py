from typing import Any, cast

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stockyard.accounts.models import User
from stockyard.accounts.roles import Capability, roles_allow
from stockyard.reporting import services
from stockyard.reporting.files import file_name
from stockyard.reporting.renderers import (
    REPORT_RENDERERS,
    ReportContentNegotiation,
    ReportJSONRenderer,
    TableFileRenderer,
)
from stockyard.reporting.reports.base import Report
from stockyard.reporting.schema import ReportSchema
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

    def get(self, request: Request) -> Response:
        return Response(services.report_run(report=self.report, params=request.query_params))

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and not isinstance(response.data, Table):
            # Errors are problem+json, whatever file was asked for.
            request.accepted_renderer = ReportJSONRenderer()
            request.accepted_media_type = ReportJSONRenderer.media_type
        elif isinstance(renderer, TableFileRenderer):
            name = file_name(response.data, renderer.file_format)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        return super().finalize_response(request, response, *args, **kwargs)
