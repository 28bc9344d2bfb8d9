"""Wake-up calls through the channel layer: "new events are in the feed".

The message carries no events. Each listener (a WebSocket, a waiting long-poll) reads the
feed after its own cursor, so a lost, late or repeated announcement can delay an event
but never lose or repeat one.
"""

import asyncio
import contextlib
import os
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable

import structlog
from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer

GROUP = "events"
NEW_EVENTS = {"type": "events.new"}  # handled by a consumer's ``events_new``
# Group memberships expire (channels_redis: after a day); the doorbell renews its own.
_RENEW_SECONDS = 600.0
_RETRY_SECONDS = 1.0

logger = structlog.get_logger("stockyard.events")


def _layer() -> BaseChannelLayer:
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - CHANNEL_LAYERS always names one
        raise RuntimeError("CHANNEL_LAYERS has no default layer")
    return layer


def announce() -> None:
    """Tell every listener that the feed has grown (from sync code, after commit).

    In a process with no event loop of its own (the Celery worker: ``use_own_loop``) the
    message goes out from one loop kept for the process: the channel layer keeps its Redis
    connections per loop, and ``async_to_sync`` would make a new loop, hence a new
    connection, for every call (measured at ~39 % of the worker's CPU). Elsewhere (the
    web server's threads) ``async_to_sync`` uses the server's loop."""
    layer = _layer()
    if _own_loop.wanted:
        sent = asyncio.run_coroutine_threadsafe(
            layer.group_send(GROUP, NEW_EVENTS), _own_loop.get()
        )
        sent.result(_SEND_TIMEOUT_SECONDS)
    else:
        async_to_sync(layer.group_send)(GROUP, NEW_EVENTS)


class _OwnLoop:
    """An event loop running in a daemon thread of this process, made on first use (and
    again in a forked child, where the thread did not survive)."""

    def __init__(self) -> None:
        self.wanted = False
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def get(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="event-announcements", daemon=True
                ).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop


_own_loop = _OwnLoop()
_SEND_TIMEOUT_SECONDS = 5.0


def use_own_loop() -> None:
    """Send announcements from one event loop kept for the process (see ``announce``);
    for processes that run no event loop, called as the Celery worker starts."""
    _own_loop.wanted = True


class _Doorbell:
    """One group member per event loop (per server process) that wakes every local
    waiter: a thousand waiting long-polls cost one channel on the layer, not a thousand
    receives started and cancelled every few seconds."""

    def __init__(self) -> None:
        self._ring = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None

    def ticket(self) -> asyncio.Event:
        """The next ring: set by the first announcement after this call."""
        if self._listener is None or self._listener.done():
            self._listener = asyncio.get_running_loop().create_task(self._listen())
        return self._ring

    async def _listen(self) -> None:
        layer = _layer()
        channel = await layer.new_channel()
        try:
            while True:
                try:
                    await layer.group_add(GROUP, channel)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(layer.receive(channel), _RENEW_SECONDS)
                        self._ring.set()
                        self._ring = asyncio.Event()
                except Exception:  # the layer is down: waiters fall back to re-reading
                    logger.exception("event_announcements_unavailable")
                    await asyncio.sleep(_RETRY_SECONDS)
        finally:
            with contextlib.suppress(Exception):
                await layer.group_discard(GROUP, channel)


_doorbells: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Doorbell]" = (
    weakref.WeakKeyDictionary()
)


@contextlib.asynccontextmanager
async def listening() -> AsyncIterator[Callable[[float], Awaitable[None]]]:
    """Listen for announcements for the block; yields ``wake(timeout)``, which returns at
    the next announcement made since the block began (or since the previous ``wake``
    returned), or after ``timeout`` seconds, whichever comes first."""
    doorbell = _doorbells.setdefault(asyncio.get_running_loop(), _Doorbell())
    ticket = doorbell.ticket()

    async def wake(timeout: float) -> None:
        nonlocal ticket
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ticket.wait(), timeout)
        ticket = doorbell.ticket()

    yield wake
