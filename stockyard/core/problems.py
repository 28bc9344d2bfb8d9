"""RFC 9457 problem+json: the one way every error leaves the API.

``problem_exception_handler`` is DRF's exception handler; ``handler404``/``handler500``
cover errors raised outside DRF views (unknown URLs, crashes in plain Django views).
"""

import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from stockyard.core import errors
from stockyard.core.database import RETRY_AFTER_SECONDS, is_database_unavailable

logger = structlog.get_logger("stockyard.errors")

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:stockyard:problem:"

# Codes and titles for DRF's own exceptions; anything unlisted falls back to its status.
_DRF_PROBLEMS: dict[type[drf.APIException], tuple[str, str]] = {
    drf.ValidationError: ("validation_error", "Invalid input"),
    drf.ParseError: ("parse_error", "Malformed request"),
    drf.NotAuthenticated: ("not_authenticated", "Authentication required"),
    drf.AuthenticationFailed: ("not_authenticated", "Authentication failed"),
    drf.PermissionDenied: ("permission_denied", "Permission denied"),
    drf.NotFound: ("not_found", "Not found"),
    drf.MethodNotAllowed: ("method_not_allowed", "Method not allowed"),
    drf.NotAcceptable: ("not_acceptable", "Not acceptable"),
    drf.UnsupportedMediaType: ("unsupported_media_type", "Unsupported media type"),
    drf.Throttled: ("throttled", "Too many requests"),
}
_SERVER_ERROR = ("server_error", "Internal server error")


def problem_body(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    field_errors: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"{PROBLEM_TYPE_PREFIX}{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if field_errors:
        body["errors"] = {key: list(messages) for key, messages in field_errors.items()}
    return body


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into ``{"lines.0.quantity": [messages]}``."""
    flat: dict[str, list[str]] = {}
    here = prefix or "non_field_errors"
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            # A nested serializer's own errors belong to its field: "lines", not
            # "lines.non_field_errors".
            nested = prefix if key == api_settings.NON_FIELD_ERRORS_KEY and prefix else None
            path = nested or (f"{prefix}.{key}" if prefix else str(key))
            for field, messages in flatten_errors(value, path).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list | tuple):
        for index, item in enumerate(detail):
            if isinstance(item, Mapping | list | tuple):
                path = f"{prefix}.{index}" if prefix else str(index)
                for field, messages in flatten_errors(item, path).items():
                    flat.setdefault(field, []).extend(messages)
            else:
                flat.setdefault(here, []).append(str(item))
    else:
        flat.setdefault(here, []).append(str(detail))
    return flat


def _summary(field_errors: Mapping[str, Sequence[str]]) -> str:
    field, messages = next(iter(field_errors.items()))
    more = len(field_errors) - 1
    suffix = f" (and {more} more field{'s' if more > 1 else ''})" if more else ""
    return f"{field}: {messages[0]}{suffix}"


def _from_drf(exc: drf.APIException) -> dict[str, Any]:
    code, title = next(
        (problem for kind, problem in _DRF_PROBLEMS.items() if isinstance(exc, kind)),
        (str(exc.default_code), "Error"),
    )
    if isinstance(exc, drf.ValidationError):
        field_errors = flatten_errors(exc.detail)
        return problem_body(
            status=exc.status_code,
            code=code,
            title=title,
            detail=_summary(field_errors),
            field_errors=field_errors,
        )
    detail: Any = exc.detail
    if isinstance(detail, Mapping):  # e.g. simplejwt's {"detail", "code", "messages"}
        detail = detail.get("detail", exc.default_detail)
    return problem_body(status=exc.status_code, code=code, title=title, detail=str(detail))


def problem_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response:
    headers: dict[str, str] = {}
    if is_database_unavailable(exc):
        exc = database_unavailable_error()
    if isinstance(exc, errors.RetryLater):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, errors.ApplicationError):
        body = problem_body(
            status=exc.status,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            field_errors=exc.errors,
        )
    elif isinstance(exc, Http404):
        body = _from_drf(drf.NotFound())
    elif isinstance(exc, DjangoPermissionDenied):
        body = _from_drf(drf.PermissionDenied())
    elif isinstance(exc, DjangoValidationError):
        body = _from_drf(drf.ValidationError(_django_validation_detail(exc)))
    elif isinstance(exc, drf.APIException):
        body = _from_drf(exc)
        if auth_header := getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = auth_header
        if wait := getattr(exc, "wait", None):
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
    else:
        request = context.get("request")
        logger.exception(
            "unhandled_exception",
            path=getattr(request, "path", None),
            view=type(context.get("view")).__name__,
        )
        body = _server_error_body()
    set_rollback()
    return Response(body, status=body["status"], headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _django_validation_detail(exc: DjangoValidationError) -> Any:
    return exc.message_dict if hasattr(exc, "error_dict") else exc.messages


def _server_error_body() -> dict[str, Any]:
    code, title = _SERVER_ERROR
    return problem_body(
        status=500,
        code=code,
        title=title,
        detail="An unexpected error occurred. It has been logged; quote the X-Request-ID.",
    )


def problem_json_response(body: dict[str, Any]) -> JsonResponse:
    return JsonResponse(body, status=body["status"], content_type=PROBLEM_CONTENT_TYPE)


def database_unavailable_error() -> errors.ServiceUnavailable:
    return errors.ServiceUnavailable(
        "No database connection was free in time.", retry_after=RETRY_AFTER_SECONDS
    )


def application_error_response(exc: errors.ApplicationError) -> JsonResponse:
    """Render an application error outside DRF (middleware, plain Django views)."""
    response = problem_json_response(
        problem_body(
            status=exc.status,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            field_errors=exc.errors,
        )
    )
    if isinstance(exc, errors.RetryLater):
        response["Retry-After"] = str(exc.retry_after)
    return response


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_json_response(_from_drf(drf.NotFound()))


@csrf_exempt  # an unknown path is a 404 whatever the method, never a CSRF 403 page
def api_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Catch-all under ``/api/``: unknown paths answer problem+json even with DEBUG on."""
    return problem_json_response(
        _from_drf(drf.NotFound(f"No endpoint at {request.path} (API paths end with a slash)."))
    )


def handler500(request: HttpRequest) -> HttpResponse:
    """Django calls this inside its ``except`` block: a crash that is really "no database
    connection" (in a middleware or a plain view) answers 503 with ``Retry-After``."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_unavailable(exc):
        return application_error_response(database_unavailable_error())
    return problem_json_response(_server_error_body())


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_json_response(_from_drf(drf.PermissionDenied()))


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_json_response(_from_drf(drf.ParseError("Bad request.")))
