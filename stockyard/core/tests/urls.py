"""Test-only routes that make the error paths reachable over HTTP."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from stockyard.core import errors


@api_view(["GET", "POST"])
@permission_classes([AllowAny])
def crash(request: Request) -> Response:
    raise RuntimeError("secret internals: password=hunter2")


@api_view(["POST"])
@permission_classes([AllowAny])
def conflict(request: Request) -> Response:
    raise errors.InsufficientStock(
        "Only 2 of SKU-1 available.", errors={"lines.0.quantity": ["Only 2 available."]}
    )


@api_view(["POST"])
def counter(request: Request) -> Response:
    """Counts its executions, so tests can tell a replay from a second run."""
    counter.calls += 1  # type: ignore[attr-defined]
    status = int(dict(request.data).get("status", 201))
    return Response({"calls": counter.calls, "echo": request.data}, status=status)  # type: ignore[attr-defined]


counter.calls = 0  # type: ignore[attr-defined]


def plain_crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    path("api/v1/test/crash/", crash),
    path("api/v1/test/conflict/", conflict),
    path("api/v1/test/counter/", counter),
    path("plain-crash/", plain_crash),
    path("", include("config.urls")),
]

handler400 = "stockyard.core.problems.handler400"
handler403 = "stockyard.core.problems.handler403"
handler404 = "stockyard.core.problems.handler404"
handler500 = "stockyard.core.problems.handler500"
