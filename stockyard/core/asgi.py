"""The HTTP side of the ASGI application: Django's handler, minus a reference cycle.

For every request Django's ``ASGIHandler.handle`` runs the view in one task and listens
for the client's disconnect in another. When the response is out, the listener ends
with an exception: ``RequestAborted`` (the server reports the finished exchange as a
disconnect, as uvicorn does) or ``CancelledError`` (``handle`` cancels it). ``handle``
catches it, but the exception stays stored in the task with a traceback through
``handle``'s frame, whose locals hold the task list and the response: a cycle. The whole
request (the response, its rendered body, a report's rows) then waits for the garbage
collector's oldest generation, many requests later, instead of being freed on return
(Django ticket #36700).

Here the listener returns instead. Django 5.2's ``handle`` treats a listener that
returned exactly like one that raised: whichever task finishes first, the other is
cancelled. Only a request whose client went away mid-way still leaves a cycle (the
view's task is cancelled). Django 6.1 rewrites ``handle``; revisit this then.
"""

import asyncio
from typing import Any

import django
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler


class CycleFreeASGIHandler(ASGIHandler):
    async def listen_for_disconnect(self, receive: Any) -> None:
        """Django's listener, ending without an exception to keep."""
        try:
            await super().listen_for_disconnect(receive)
        except (RequestAborted, asyncio.CancelledError):
            return


def get_asgi_application() -> CycleFreeASGIHandler:
    """``django.core.asgi.get_asgi_application`` with the handler above."""
    django.setup(set_prefix=False)
    return CycleFreeASGIHandler()
