from typing import cast

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from stockyard.accounts.models import User
from stockyard.core.errors import NotFound
from stockyard.imports import selectors, services
from stockyard.imports.enums import ImportKind
from stockyard.imports.kinds import KINDS
from stockyard.imports.models import Import
from stockyard.imports.serializers import (
    ImportAcceptedSerializer,
    ImportCreateSerializer,
    ImportSerializer,
)

CSV_TYPE = "text/csv; charset=utf-8"
_BOM = "\ufeff"

_DONE = OpenApiExample(
    "A products import that ran",
    value={
        "id": 7,
        "kind": "products",
        "status": "done",
        "dry_run": False,
        "file_name": "products.csv",
        "rows_total": 3,
        "progress": 3,
        "created": 2,
        "updated": 1,
        "errors": [],
        "created_at": "2026-12-01T09:00:00Z",
        "started_at": "2026-12-01T09:00:01Z",
        "finished_at": "2026-12-01T09:00:02Z",
    },
    response_only=True,
)
_FAILED = OpenApiExample(
    "A dry run that found bad rows (nothing written)",
    value={
        "id": 8,
        "kind": "opening-stock",
        "status": "failed",
        "dry_run": True,
        "file_name": "stock.xlsx",
        "rows_total": 2,
        "progress": 0,
        "created": 0,
        "updated": 0,
        "errors": [
            {"row": 2, "field": "warehouse", "message": "No warehouse with code 'NORTH'."},
            {"row": 3, "field": "quantity", "message": "A valid number is required."},
        ],
        "created_at": "2026-12-01T09:05:00Z",
        "started_at": "2026-12-01T09:05:01Z",
        "finished_at": "2026-12-01T09:05:01Z",
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(description="Your imports, newest first (administrators: everyone's)."),
    retrieve=extend_schema(
        description="`status` is `pending`, `running`, `done` (every row applied, or would "
        "be in a dry run) or `failed` (nothing written: `errors` lists each bad row's "
        "`row`, `field` and `message`). `progress` counts rows applied while it runs. "
        "Someone else's import is a 404.",
        examples=[_DONE, _FAILED],
    ),
)
class ImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Import]
):
    """Files of products, customers, suppliers, opening stock or prices, applied all or
    nothing in the background. Who may import a kind is who may write it."""

    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser, FormParser]
    lookup_value_regex = r"[0-9]+"
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Import]:
        return selectors.import_list(user=cast(User, self.request.user))

    @extend_schema(
        request={"multipart/form-data": ImportCreateSerializer},
        responses={202: ImportAcceptedSerializer},
        description="Upload a CSV or XLSX file of one `kind`; it is applied in the "
        "background (follow `Location`). All or nothing: a file with any bad row writes "
        "nothing. `dry_run=true` checks every row and writes nothing. Products, suppliers "
        "and customers are created or updated by `sku`/`code`; `prices` updates existing "
        "products; `opening-stock` posts one adjustment per row for stock that has never "
        "moved. References are natural keys: supplier and warehouse `code`, category "
        "`name`, product `sku`. A file that is not CSV or XLSX → 400 `validation_error`; "
        "a kind your roles may not write → 403.",
        examples=[
            OpenApiExample(
                "A dry run of a products file",
                value={"file": "(products.csv)", "kind": "products", "dry_run": True},
                request_only=True,
            ),
            OpenApiExample("Accepted", value={"id": 7, "status": "pending"}, response_only=True),
        ],
    )
    def create(self, request: Request) -> Response:
        body = ImportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        job = services.import_create(
            user=cast(User, request.user),
            kind=body.validated_data["kind"],
            file=upload,
            file_name=upload.name,
            dry_run=body.validated_data["dry_run"],
        )
        job.refresh_from_db(fields=["status"])  # applied already when tasks run inline
        return Response(
            ImportAcceptedSerializer(job).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(f"{request.path}{job.pk}/")},
        )

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=ImportKind.values)],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="The kind's header row (UTF-8 with a byte-order mark).",
                examples=[OpenApiExample("prices", value="sku,price,cost\r\n", response_only=True)],
            )
        },
        description="The CSV header of a kind of import, as an attachment: fill in rows "
        "below it. An unknown kind → 404.",
    )
    @action(detail=False, methods=["get"], url_path=r"templates/(?P<kind>[a-z-]+)")
    def templates(self, request: Request, kind: str) -> HttpResponse:
        if kind not in KINDS:
            raise NotFound(f"No import kind {kind!r}; kinds: {', '.join(KINDS)}.")
        response = HttpResponse(_BOM + services.import_template(kind=kind), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
        return response
