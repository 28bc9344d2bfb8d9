"""``AsyncAPIView``: a DRF view whose handlers are coroutines, for requests that wait.

Under ASGI an async handler waits on the event loop instead of holding a thread. The
request goes through DRF as usual: authentication, permissions (``RolePermission`` with
the view's capabilities), throttling and the problem+json exception handler all run as
they do for any other view, in a worker thread because they may touch the database.
"""

import inspect
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from rest_framework.response import Response
from rest_framework.views import APIView


class AsyncAPIView(APIView):
    """Declare handlers with ``async def get(...)``; they run on the event loop, so any
    database access in them goes through ``sync_to_async``."""

    async def dispatch(  # type: ignore[override]
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> Response:
        self.args = args
        self.kwargs = kwargs
        drf_request = self.initialize_request(request, *args, **kwargs)
        self.request = drf_request
        self.headers = self.default_response_headers
        try:
            await sync_to_async(self.initial)(drf_request, *args, **kwargs)
            method = (drf_request.method or "").lower()
            handler = (
                getattr(self, method, self.http_method_not_allowed)
                if method in self.http_method_names
                else self.http_method_not_allowed
            )
            response = handler(drf_request, *args, **kwargs)
            if inspect.isawaitable(response):
                response = await response
        except Exception as exc:
            response = await sync_to_async(self.handle_exception)(exc)
        self.response = self.finalize_response(drf_request, response, *args, **kwargs)
        return self.response
