"""ws /ws/events/?token=<access token>: the feed pushed over a WebSocket."""

import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from rest_framework_simplejwt.tokens import AccessToken

from config.asgi import application
from stockyard.accounts.roles import Role
from stockyard.events import consumers
from stockyard.events.announcements import announce
from stockyard.events.services import publish

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def token_for(user, *, expired: bool = False) -> str:
    token = AccessToken.for_user(user)
    if expired:
        token.set_exp(lifetime=-timedelta(seconds=1))
    return str(token)


def socket(token: str | None) -> WebsocketCommunicator:
    path = "/ws/events/" if token is None else f"/ws/events/?token={token}"
    return WebsocketCommunicator(application, path, headers=[ORIGIN])


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    return async_to_sync(scenario)()


@sync_to_async
def publish_events(*types: str) -> None:
    """One transaction per event, as separate business changes would."""
    for type in types:
        with transaction.atomic():
            publish(type, {"type": type})


async def frames(ws: WebsocketCommunicator) -> list[dict[str, Any]]:
    """Every frame pushed until the socket goes quiet."""
    received = []
    while not await ws.receive_nothing(timeout=0.5):
        received.append(json.loads(await ws.receive_from()))
    return received


async def close_code(ws: WebsocketCommunicator) -> int:
    connected, _ = await ws.connect()
    assert connected  # accepted, then closed: a refused handshake carries no code
    message = await ws.receive_output(timeout=5)
    assert message["type"] == "websocket.close"
    return message["code"]


@pytest.fixture
def viewer_token(make_user) -> str:
    return token_for(make_user(Role.VIEWER))


def test_a_missing_bad_or_expired_token_closes_with_4401(make_user):
    user = make_user(Role.VIEWER)
    inactive = make_user(Role.VIEWER)
    inactive.is_active = False
    inactive.save()

    async def scenario() -> list[int]:
        return [
            await close_code(socket(token))
            for token in [None, "", "not-a-jwt", token_for(user, expired=True), token_for(inactive)]
        ]

    assert run(scenario) == [4401] * 5


def test_a_user_without_events_view_closes_with_4403(make_user):
    token = token_for(make_user())

    async def scenario() -> int:
        return await close_code(socket(token))

    assert run(scenario) == 4403


def test_events_committed_while_connected_are_pushed_once_in_feed_order(viewer_token):
    async def scenario() -> list[dict[str, Any]]:
        await publish_events("product.created")  # before connecting: not pushed
        ws = socket(viewer_token)
        assert (await ws.connect())[0]
        await publish_events("sales_order.created", "stock.changed", "sales_order.confirmed")
        await sync_to_async(announce)()  # a repeated announcement repeats nothing
        pushed = await frames(ws)
        await ws.disconnect()
        return pushed

    pushed = run(scenario)
    assert [frame["type"] for frame in pushed] == [
        "sales_order.created",
        "stock.changed",
        "sales_order.confirmed",
    ]
    assert set(pushed[0]) == {"id", "type", "occurred_at", "data"}
    assert pushed[0]["data"] == {"type": "sales_order.created"}
    assert [frame["id"] for frame in pushed] == sorted(frame["id"] for frame in pushed)


def test_subscribe_narrows_the_stream_to_matching_types(viewer_token):
    async def scenario() -> tuple[Any, list[dict[str, Any]]]:
        ws = socket(viewer_token)
        await ws.connect()
        await ws.send_to(text_data=json.dumps({"subscribe": ["sales_order.*", "stock.changed"]}))
        ack = json.loads(await ws.receive_from())
        await publish_events("product.created", "sales_order.created", "stock.changed")
        pushed = await frames(ws)
        await ws.disconnect()
        return ack, pushed

    ack, pushed = run(scenario)
    assert ack == {"subscribed": ["sales_order.*", "stock.changed"]}
    assert [frame["type"] for frame in pushed] == ["sales_order.created", "stock.changed"]


@pytest.mark.parametrize(
    ("message", "errors"),
    [
        ({"text_data": "not json"}, {}),
        ({"text_data": "[1, 2]"}, {}),
        ({"bytes_data": b"\x00\x01"}, {}),
        ({"text_data": '{"unsubscribe": ["stock.*"]}'}, {"subscribe": ["This field is required."]}),
        ({"text_data": '{"subscribe": "stock.*"}'}, {"subscribe": None}),
        ({"text_data": '{"subscribe": []}'}, {"subscribe": None}),
        ({"text_data": '{"subscribe": ["stock.*", "Stock Changed"]}'}, {"subscribe.1": None}),
    ],
)
def test_an_invalid_message_gets_an_error_frame_and_the_stream_goes_on(
    viewer_token, message, errors
):
    async def scenario() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        ws = socket(viewer_token)
        await ws.connect()
        await ws.send_to(**message)
        error = json.loads(await ws.receive_from())
        await publish_events("stock.changed")
        pushed = await frames(ws)
        await ws.disconnect()
        return error, pushed

    error, pushed = run(scenario)
    assert error["error"] == "validation_error"
    assert error["detail"]
    assert set(error["errors"]) == set(errors)
    for field, messages in errors.items():
        assert messages is None or error["errors"][field] == messages
    assert [frame["type"] for frame in pushed] == ["stock.changed"]


def test_a_user_who_loses_access_is_disconnected_before_the_next_push(make_user, monkeypatch):
    monkeypatch.setattr(consumers, "ACCESS_RECHECK_SECONDS", 0)
    user = make_user(Role.VIEWER)

    async def scenario() -> tuple[list[str], dict[str, Any]]:
        ws = socket(token_for(user))
        await ws.connect()
        await publish_events("stock.changed")
        before = [json.loads(await ws.receive_from())["type"]]
        await sync_to_async(user.groups.clear)()
        await publish_events("stock.changed")
        closed = await ws.receive_output(timeout=5)
        return before, closed

    before, closed = run(scenario)
    assert before == ["stock.changed"]
    assert closed == {"type": "websocket.close", "code": 4403}


def test_a_foreign_origin_is_refused():
    async def scenario() -> bool:
        ws = WebsocketCommunicator(
            application, "/ws/events/", headers=[(b"origin", b"https://evil.example")]
        )
        connected, _ = await ws.connect()
        return connected

    assert run(scenario) is False


def test_a_revoked_token_opens_no_stream_and_an_open_one_closes(make_user, monkeypatch):
    from stockyard.accounts.services import user_tokens_revoke
    from stockyard.accounts.tokens import RefreshToken

    monkeypatch.setattr(consumers, "ACCESS_RECHECK_SECONDS", 0)
    user = make_user(Role.VIEWER)
    token = str(RefreshToken.for_user(user).access_token)

    async def scenario() -> tuple[dict[str, Any], int]:
        ws = socket(token)
        await ws.connect()
        await sync_to_async(user_tokens_revoke)(user=user)  # a password change, a logout
        await publish_events("stock.changed")
        closed = await ws.receive_output(timeout=5)
        again = socket(token)
        await again.connect()
        refused = await again.receive_output(timeout=5)
        return closed, refused["code"]

    closed, refused = run(scenario)
    assert closed == {"type": "websocket.close", "code": 4401}
    assert refused == 4401


def oauth2_token_for(user, *, scope: str = "read write", expired: bool = False) -> str:
    """An access token of the provider at /o/, as the console holds after signing in."""
    from django.utils import timezone
    from oauth2_provider.models import AccessToken as OAuth2AccessToken

    token = secrets.token_urlsafe(30).replace("-", "A").replace("_", "B")
    lifetime = timedelta(seconds=-1 if expired else 900)
    OAuth2AccessToken.objects.create(
        user=user, token=token, scope=scope, expires=timezone.now() + lifetime
    )
    return token


def test_an_oauth2_access_token_follows_the_feed_as_a_jwt_does(make_user):
    token = oauth2_token_for(make_user(Role.VIEWER), scope="read")

    async def scenario() -> list[dict[str, Any]]:
        ws = socket(token)
        assert (await ws.connect())[0]
        await publish_events("stock.changed")
        pushed = await frames(ws)
        await ws.disconnect()
        return pushed

    assert [frame["type"] for frame in run(scenario)] == ["stock.changed"]


def test_oauth2_tokens_are_refused_as_the_api_refuses_them(make_user):
    viewer = make_user(Role.VIEWER)
    inactive = make_user(Role.VIEWER)
    inactive.is_active = False
    inactive.save()
    refused = [
        oauth2_token_for(viewer, expired=True),
        oauth2_token_for(inactive),
        "an-unknown-opaque-token",
    ]
    denied = [oauth2_token_for(viewer, scope="write"), oauth2_token_for(make_user())]

    async def scenario() -> list[int]:
        return [await close_code(socket(token)) for token in refused + denied]

    assert run(scenario) == [4401] * len(refused) + [4403] * len(denied)


def test_an_open_stream_closes_when_its_oauth2_token_is_revoked(make_user, monkeypatch):
    from oauth2_provider.models import AccessToken as OAuth2AccessToken

    monkeypatch.setattr(consumers, "ACCESS_RECHECK_SECONDS", 0)
    token = oauth2_token_for(make_user(Role.VIEWER))

    async def scenario() -> dict[str, Any]:
        ws = socket(token)
        await ws.connect()
        await sync_to_async(OAuth2AccessToken.objects.all().delete)()  # /o/revoke_token/
        await publish_events("stock.changed")
        return await ws.receive_output(timeout=5)

    assert run(scenario) == {"type": "websocket.close", "code": 4401}
