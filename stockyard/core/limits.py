"""Limits on what a request may bring: body size and JSON nesting.

- A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (declared by ``Content-Length``) is
  refused with 413 ``payload_too_large`` before anything reads it
  (``RequestSizeLimitMiddleware``). Bodies sent without ``Content-Length`` are read as
  empty by DRF; cap them at the proxy (nginx ``client_max_body_size``).
- JSON nested deeper than ``MAX_JSON_DEPTH`` is refused with 400 ``parse_error``
  (``JSONParser``): deep nesting costs recursion in every layer that walks it, and past
  Python's recursion limit it crashed the parser.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from stockyard.core import errors
from stockyard.core.middleware import SyncAndAsyncMiddleware
from stockyard.core.problems import application_error_response

MAX_JSON_DEPTH = 32


class PayloadTooLarge(errors.ApplicationError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"
    default_detail = "The request body is larger than the server accepts."


def declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def body_too_large(request: HttpRequest) -> PayloadTooLarge | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or declared_length(request) <= limit:
        return None
    return PayloadTooLarge(f"The request body must be at most {limit} bytes.")


class RequestSizeLimitMiddleware(SyncAndAsyncMiddleware):
    def handle(self, request: HttpRequest) -> HttpResponse:
        if error := body_too_large(request):
            return application_error_response(error)
        return self.get_response(request)

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        if error := body_too_large(request):
            return application_error_response(error)
        return await self.get_response(request)


def json_depth(value: Any) -> int:
    """How deeply ``value`` nests arrays and objects (a scalar is 0, ``[]`` is 1)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth + 1)
            pending.extend((child, depth + 1) for child in item)
    return deepest


def check_json_depth(value: Any) -> None:
    """Raises ``ParseError`` when ``value`` nests deeper than ``MAX_JSON_DEPTH``."""
    if json_depth(value) > MAX_JSON_DEPTH:
        raise ParseError(f"JSON must not nest deeper than {MAX_JSON_DEPTH} levels.")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON must not nest deeper than {MAX_JSON_DEPTH} levels.") from None
        check_json_depth(data)
        return data
