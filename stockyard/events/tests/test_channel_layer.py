"""The channel layer rides out a Redis restart: a pooled connection that the server
dropped is replaced on its next use instead of failing it. (On the staging stack, the
first WebSocket handshake after Redis came back answered 500 until this.)"""

from typing import Any, cast

import pytest
import redis
from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer
from django.conf import settings

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL)")


def test_a_connection_the_server_dropped_is_replaced_on_next_use() -> None:
    config = cast(dict[str, Any], settings.CHANNEL_LAYERS["default"]["CONFIG"])
    layer = RedisChannelLayer(**config)  # the layer as configured

    async def scenario() -> None:
        try:
            await layer.group_add("restart-drill", "restart-drill.one!a")
            pooled = await layer.connection(0).client_id()  # the connection in the pool
            with redis.Redis.from_url(settings.REDIS_URL) as admin:
                assert admin.client_kill_filter(_id=pooled) == 1  # as a restart drops it
            await layer.group_add("restart-drill", "restart-drill.one!b")
            await layer.group_discard("restart-drill", "restart-drill.one!a")
            await layer.group_discard("restart-drill", "restart-drill.one!b")
        finally:
            await layer.close_pools()

    async_to_sync(scenario)()
