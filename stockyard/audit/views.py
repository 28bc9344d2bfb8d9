from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from stockyard.accounts.roles import Capability
from stockyard.audit import selectors
from stockyard.audit.serializers import AuditLogPageSerializer, AuditLogQuerySerializer

_EXAMPLE = OpenApiExample(
    "A sales order confirmed through the API",
    value={
        "next": "https://stockyard.example/api/v1/audit-log/?object_type=sales_order&before=4810",
        "previous": None,
        "results": [
            {
                "id": 4810,
                "occurred_at": "2026-11-22T09:30:12.481Z",
                "actor": 7,
                "actor_username": "sam",
                "request_id": "5f0c2a9e4b7d4e31a8c6f1d2e3b4a5c6",
                "source": None,
                "action": "confirm",
                "object_type": "sales_order",
                "object_id": 12,
                "changes": {
                    "status": ["draft", "confirmed"],
                    "confirmed_at": [None, "2026-11-22T09:30:12.481+00:00"],
                },
            }
        ],
    },
    response_only=True,
)


class AuditLogView(APIView):
    """Who changed what, when, from which request: every tracked write, newest first."""

    read_capability = Capability.AUDIT_VIEW

    @extend_schema(
        operation_id="audit_log_list",
        parameters=[AuditLogQuerySerializer],
        responses=AuditLogPageSerializer,
        examples=[_EXAMPLE],
        description="Every insert, update and delete of a tracked model, whichever path "
        "made it (API, admin, management command, Celery task, bulk or raw SQL), with the "
        "user and request id, or the command or task, it was made by. Pages follow ids: "
        "`next` for older entries, `previous` for newer ones. Needs PostgreSQL (the trail "
        "is written by database triggers); elsewhere it is empty.",
    )
    def get(self, request: Request) -> Response:
        query = AuditLogQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        size = params.pop("page_size")
        page = selectors.audit_log_page(size=size, **params)
        return Response(
            AuditLogPageSerializer(
                {
                    "results": page.entries,
                    "next": self._link(request, page, older=True, params=params),
                    "previous": self._link(request, page, older=False, params=params),
                }
            ).data
        )

    @staticmethod
    def _link(
        request: Request, page: selectors.AuditLogPage, *, older: bool, params: dict[str, Any]
    ) -> str | None:
        """The page after (older) or before (newer) this one, if there may be one."""
        if not page.entries:
            return None
        paging_newer = params.get("after") is not None
        if older and not (page.has_more or paging_newer):
            return None
        if not older and not (params.get("before") is not None or (paging_newer and page.has_more)):
            return None
        url = request.build_absolute_uri()
        for key in ("before", "after"):
            url = remove_query_param(url, key)
        if older:
            return replace_query_param(url, "before", page.entries[-1].id)
        return replace_query_param(url, "after", page.entries[0].id)
