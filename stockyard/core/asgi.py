"""The HTTP side of the ASGI application: Django's handler, one thread hop per request and
minus a reference cycle.

**One hop.** Django's ``ASGIHandler`` runs the middleware chain in async mode. Django's
own middlewares (``MiddlewareMixin``) then hand each of their hooks to a thread with
``sync_to_async``, and the sync view another: 18 hand-offs for an API request, each a
trip through the event loop and a thread, measured at nearly half of a small request's
CPU (docs/benchmarks.md). Here a request for a sync view (every view but the waiting ones)
goes through a second, sync, copy of the chain, run whole in one ``sync_to_async`` call:
``request_started``, every middleware, the view and, for an answer already in memory,
``request_finished``, in the request's one thread, as a WSGI server would run them. A
request for an async view (``AsyncAPIView``: the event long-poll) keeps Django's async
chain, so a waiting long-poll holds no thread, and so does a request for a static file
(ServeStatic, async-only, answers those). A streamed answer is sent as Django
sends it (each chunk taken in the request's thread, ``core.streaming``), and sending stops
when the client goes away.

**No cycle.** For every request Django's ``ASGIHandler.handle`` runs the view in one task
and listens for the client's disconnect in another. When the response is out, the
listener ends with an exception: ``RequestAborted`` (the server reports the finished
exchange as a disconnect, as uvicorn does) or ``CancelledError`` (``handle`` cancels it).
``handle`` catches it, but the exception stays stored in the task with a traceback
through ``handle``'s frame, whose locals hold the task list and the response: a cycle.
The whole request (the response, its rendered body, a report's rows) then waits for the
garbage collector's oldest generation, many requests later, instead of being freed on
return (Django ticket #36700). Here the listener returns instead. Django 5.2's ``handle``
treats a listener that returned exactly like one that raised: whichever task finishes
first, the other is cancelled. Only a request whose client went away mid-way still
leaves a cycle (the view's task is cancelled). Django 6.1 rewrites ``handle``; revisit
this then.
"""

import asyncio
import contextlib
import functools
from typing import Any
from urllib.parse import urlparse

import django
from asgiref.sync import ThreadSensitiveContext, iscoroutinefunction, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed, RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import FileResponse, HttpResponseBase
from django.urls import Resolver404, get_resolver, set_script_prefix
from django.utils.module_loading import import_string

# The one async-only middleware: it answers requests under STATIC_URL, which keep the
# async chain, and lets every other request through untouched, so the sync chain omits it.
STATIC_FILES_MIDDLEWARE = "servestatic.middleware.ServeStaticMiddleware"


class _SyncChain(BaseHandler):
    """``settings.MIDDLEWARE`` built in sync mode, as a WSGI server's handler builds it,
    without ``STATIC_FILES_MIDDLEWARE``."""

    def __init__(self) -> None:
        super().__init__()
        self.load_middleware()

    def load_middleware(self, is_async: bool = False) -> None:
        """Django's ``load_middleware`` for the sync mode only. Raises
        ``ImproperlyConfigured`` for another async-only middleware (it would need a
        hand-off to the event loop in every request)."""
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(settings.MIDDLEWARE):
            factory = import_string(path)
            if not getattr(factory, "sync_capable", True):
                if path == STATIC_FILES_MIDDLEWARE:
                    continue
                raise ImproperlyConfigured(f"{path} cannot run in the sync chain")
            try:
                middleware = factory(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler


def _async_view(scope: dict[str, Any]) -> bool:
    """Whether the request goes to the async chain: its view is a coroutine function, or
    it asks for a static file (an unknown path: no)."""
    path: str = scope["path"]
    prefix = get_script_prefix(scope)
    path_info = path.removeprefix(prefix) if prefix else path
    if path_info.startswith(_static_prefix()):
        return True
    return _resolves_to_async(settings.ROOT_URLCONF, path_info)


@functools.cache
def _static_prefix() -> str:
    """STATIC_URL's path, as ServeStatic reads it (``/static/``)."""
    return "/" + urlparse(settings.STATIC_URL).path.strip("/") + "/"


@functools.lru_cache(maxsize=4096)
def _resolves_to_async(urlconf: str, path_info: str) -> bool:
    try:
        match = get_resolver(urlconf).resolve(path_info)
    except Resolver404:
        return False
    return iscoroutinefunction(match.func)


class CycleFreeASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self._sync_chain = _SyncChain()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not _async_view(scope):
            async with ThreadSensitiveContext():  # the request's own thread
                await self._handle_in_one_hop(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def listen_for_disconnect(self, receive: Any) -> None:
        """Django's listener, ending without an exception to keep."""
        try:
            await super().listen_for_disconnect(receive)
        except (RequestAborted, asyncio.CancelledError):
            return

    async def _handle_in_one_hop(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            response = await sync_to_async(self._respond, thread_sensitive=True)(scope, body_file)
            if not response.streaming:
                await self.send_response(response, send)
                return
            try:
                await self._send_until_disconnect(response, send, receive)
            finally:
                await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def _respond(self, scope: dict[str, Any], body_file: Any) -> HttpResponseBase:
        """The whole request in this thread; closed here unless it streams (then once
        it has been sent)."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self._sync_chain.get_response(request)
        assert response is not None
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        return response

    async def _send_until_disconnect(
        self, response: HttpResponseBase, send: Any, receive: Any
    ) -> None:
        """Send a streamed answer, stopping if the client goes away (a large export is
        not produced for nobody)."""
        tasks = [
            asyncio.create_task(self.listen_for_disconnect(receive)),
            asyncio.create_task(self.send_response(response, send)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def get_asgi_application() -> CycleFreeASGIHandler:
    """``django.core.asgi.get_asgi_application`` with the handler above."""
    django.setup(set_prefix=False)
    return CycleFreeASGIHandler()
