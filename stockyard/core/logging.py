"""Request logging: one JSON line per request, a request id on every line of it."""

import re
import time
import uuid

import structlog
from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse

from stockyard.core.middleware import SyncAndAsyncMiddleware
from stockyard.core.proxies import client_address

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

logger = structlog.get_logger("stockyard.request")


def _request_id(request: HttpRequest) -> str:
    supplied = request.headers.get(REQUEST_ID_HEADER, "")
    return supplied if _VALID_REQUEST_ID.match(supplied) else uuid.uuid4().hex


class RequestLogMiddleware(SyncAndAsyncMiddleware):
    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id, started = _begin(request)
        response = self.get_response(request)
        return _finish(request, response, request_id, started, user_id=_user_id(request))

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        request_id, started = _begin(request)
        response = await self.get_response(request)
        # The user may be a lazy object still to be read from the session: not on the loop.
        user_id = await sync_to_async(_user_id)(request)
        return _finish(request, response, request_id, started, user_id=user_id)


def _begin(request: HttpRequest) -> tuple[str, float]:
    request_id = _request_id(request)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    return request_id, time.perf_counter()


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _finish(
    request: HttpRequest,
    response: HttpResponse,
    request_id: str,
    started: float,
    *,
    user_id: int | None,
) -> HttpResponse:
    logger.info(
        "request",
        method=request.method,
        path=request.path,
        client=client_address(request),
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
        user_id=user_id,
    )
    response[REQUEST_ID_HEADER] = request_id
    structlog.contextvars.clear_contextvars()
    return response


def current_request_id() -> str | None:
    """The id of the request being served, if any (it is bound for the whole request)."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return str(request_id) if request_id is not None else None
