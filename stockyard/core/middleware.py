"""A base for the project's middleware: it runs in whichever mode Django builds the
chain in (async under ASGI when every middleware can), with no hand-off between modes.

A sync-only middleware would make Django run the rest of the chain, and the view, under
``async_to_sync`` in a thread: a waiting async view (the event long-poll) would park
that thread for its whole wait. Subclasses write ``handle`` (sync) and ``ahandle``
(async); ``core/tests/test_async_requests.py`` keeps every middleware async-capable.
"""

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse


class SyncAndAsyncMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.ahandle(request)
        return self.handle(request)

    def handle(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError


class ResponseCycleMiddleware(SyncAndAsyncMiddleware):
    """Lets a DRF response be freed as soon as it has been sent.

    DRF ties a response into reference cycles: the view keeps it (``view.response``) and
    the response keeps the view and itself (``response.renderer_context``). Memory in a
    cycle comes back only when the garbage collector's oldest generation runs, which can
    be many requests later, so a worker that answered ten large reports held all ten
    (a 50k-row report is ~50 MB of Python objects). By the time a middleware sees the
    response it has been rendered, so those links are no longer needed: cutting them
    leaves the response to reference counting, freed when the server drops it.
    """

    def handle(self, request: HttpRequest) -> HttpResponse:
        return _without_cycles(self.get_response(request))

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        return _without_cycles(await self.get_response(request))


def _without_cycles(response: HttpResponse) -> HttpResponse:
    context = getattr(response, "renderer_context", None)
    if context:
        view = context.pop("view", None)
        context.pop("response", None)
        if getattr(view, "response", None) is response:
            del view.response
    return response
