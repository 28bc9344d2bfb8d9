"""``GET /api/v1/``: the API's front door, a map of the resources a client can read.

Built from the URL conf it is mounted over, so it lists exactly what is routed: every
path without parameters whose view answers GET (collections such as ``products/``,
singletons such as ``auth/me/``, each report), by name → absolute URL.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from django.urls import URLPattern, URLResolver
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def _readable_routes(
    patterns: Sequence[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[str]:
    for entry in patterns:
        # Routers write regexes (``^products/$``), ``path()`` writes routes.
        route = prefix + str(entry.pattern).removeprefix("^").removesuffix("$")
        if isinstance(entry, URLResolver):
            yield from _readable_routes(entry.url_patterns, route)
            continue
        if "<" in route:
            continue  # a detail or action route: it needs an id
        actions = getattr(entry.callback, "actions", None)
        view_class = getattr(entry.callback, "cls", None)
        if actions is not None:
            if "get" in actions:
                yield route
        elif view_class is not None and hasattr(view_class, "get"):
            yield route


class ApiRootView(APIView):
    """Every resource of the API that answers GET, by name, with its absolute URL.

    Public: it reveals nothing but the routes the OpenAPI document already names.
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    patterns: Sequence[URLPattern | URLResolver] = ()

    @extend_schema(
        responses={200: {"type": "object", "additionalProperties": {"type": "string"}}},
        examples=[
            OpenApiExample(
                "The root",
                value={
                    "products": "http://127.0.0.1:8000/api/v1/products/",
                    "reports/sales": "http://127.0.0.1:8000/api/v1/reports/sales/",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        base = request.path
        return Response(
            {
                route.rstrip("/"): request.build_absolute_uri(base + route)
                for route in sorted(set(_readable_routes(self.patterns)))
            }
        )
