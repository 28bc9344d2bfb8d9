"""Wake-up calls through the channel layer: "new events are in the feed".

The message carries no events. Each listener (a WebSocket, a waiting long-poll) reads the
feed after its own cursor, so a lost, late or repeated announcement can delay an event
but never lose or repeat one.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer

GROUP = "events"
NEW_EVENTS = {"type": "events.new"}  # handled by a consumer's ``events_new``


def _layer() -> BaseChannelLayer:
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - CHANNEL_LAYERS always names one
        raise RuntimeError("CHANNEL_LAYERS has no default layer")
    return layer


def announce() -> None:
    """Tell every listener that the feed has grown (from sync code, after commit)."""
    async_to_sync(_layer().group_send)(GROUP, NEW_EVENTS)


@contextlib.asynccontextmanager
async def listening() -> AsyncIterator[Callable[[float], Awaitable[None]]]:
    """Join the announcements for the block; yields ``wake(timeout)``, which returns at
    the next announcement or after ``timeout`` seconds, whichever comes first."""
    layer = _layer()
    channel = await layer.new_channel()
    await layer.group_add(GROUP, channel)

    async def wake(timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(layer.receive(channel), timeout)

    try:
        yield wake
    finally:
        await layer.group_discard(GROUP, channel)
