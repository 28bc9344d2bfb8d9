"""With Redis unreachable, the WebSocket closes with 1013 (Try Again Later, RFC 6455's
IANA registry) instead of failing the handshake with a 500."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from config.asgi import application
from stockyard.accounts.roles import Role
from stockyard.events.tests.test_websocket import ORIGIN, token_for

pytestmark = pytest.mark.django_db(transaction=True)

UNREACHABLE = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": ["redis://127.0.0.1:9/0"]},  # the discard port: refused
    }
}


def test_an_unreachable_channel_layer_closes_with_try_again_later(settings, make_user):
    settings.CHANNEL_LAYERS = UNREACHABLE
    token = token_for(make_user(Role.VIEWER))

    async def scenario() -> dict[str, object]:
        ws = WebsocketCommunicator(application, f"/ws/events/?token={token}", headers=[ORIGIN])
        connected, _ = await ws.connect(timeout=10)
        assert connected
        message = await ws.receive_output(timeout=10)
        await ws.disconnect()
        return message

    assert async_to_sync(scenario)() == {"type": "websocket.close", "code": 1013}
