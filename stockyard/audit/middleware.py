"""Attribute the writes of each HTTP request to its user and request id."""

from contextlib import ExitStack

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from pghistory import middleware as pghistory_middleware
from rest_framework.permissions import SAFE_METHODS

from stockyard.audit.context import audit_context
from stockyard.core.logging import current_request_id
from stockyard.core.middleware import SyncAndAsyncMiddleware


class AuditContextMiddleware(SyncAndAsyncMiddleware):
    """Opens the audit context of an unsafe request (reads write nothing to attribute).

    Sits after ``AuthenticationMiddleware`` (session users: the admin) and switches the
    request to django-pghistory's request classes, which update the context when DRF
    sets ``request.user`` later, in the view (JWT and OAuth2 users).
    """

    def handle(self, request: HttpRequest) -> HttpResponse:
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        with _open(request):
            return self.get_response(request)

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        if request.method in SAFE_METHODS:
            return await self.get_response(request)
        # Opened and closed on the request's sync thread, where its views run their
        # queries: the context and the connection it wraps are per thread.
        scope = await sync_to_async(_open)(request)
        try:
            return await self.get_response(request)
        finally:
            await sync_to_async(scope.close)()


def _open(request: HttpRequest) -> ExitStack:
    user = getattr(request, "user", None)
    scope = ExitStack()
    scope.enter_context(
        audit_context(
            user=user.pk if user is not None and user.is_authenticated else None,
            request_id=current_request_id(),
        )
    )
    if isinstance(request, WSGIRequest):
        request.__class__ = pghistory_middleware.WSGIRequest
    elif isinstance(request, ASGIRequest):
        request.__class__ = pghistory_middleware.ASGIRequest
    return scope
