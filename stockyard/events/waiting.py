"""Waiting for the feed to grow without holding a thread or a database connection."""

import asyncio
from collections.abc import Sequence

from asgiref.sync import sync_to_async
from django.db import connection

from stockyard.events.announcements import listening
from stockyard.events.selectors import FeedPage, event_feed

# Between announcements the feed is re-read this often: events sequenced by a process
# whose announcement did not reach this one (in-memory channel layer, a lost message)
# still arrive, at most this late.
POLL_SECONDS = 2.0


async def event_feed_wait(*, after: int | None, types: Sequence[str], wait: float) -> FeedPage:
    """``event_feed``, waiting up to ``wait`` seconds for the first matching event.

    Listens before the first read, so an announcement made in between is not missed.
    """
    if after is None or wait <= 0:
        return await sync_to_async(_read)(after=after, types=types)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    async with listening() as wake:
        while True:
            page = await sync_to_async(_read)(after=after, types=types)
            remaining = deadline - loop.time()
            if page.events or remaining <= 0:
                return page
            after = page.cursor  # filtered-out events need not be read again
            await wake(min(remaining, POLL_SECONDS))


def _read(*, after: int | None, types: Sequence[str]) -> FeedPage:
    try:
        return event_feed(after=after, types=types)
    finally:
        # Give the connection back between reads (to the pool, when there is one): a
        # waiting client must not hold one for 30 s. Not inside a test's transaction.
        if not connection.in_atomic_block:
            connection.close()
