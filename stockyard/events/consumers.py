"""``ws /ws/events/?token=<access token>``: the event feed pushed as it grows.

The token is an API access token of either kind, a JWT or an OAuth2 token from ``/o/``,
judged as the HTTP API judges it (``accounts.authentication.bearer_authenticate``).

Each connection keeps its own cursor in the feed, starting at the present end. The
group message only says "new events"; the consumer then reads the feed after its
cursor, so it pushes every event once, in feed order, whatever announcements are lost,
late or repeated.
"""

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import structlog
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from oauth2_provider.settings import oauth2_settings
from redis.exceptions import RedisError
from rest_framework.exceptions import AuthenticationFailed

from stockyard.accounts.authentication import bearer_authenticate
from stockyard.accounts.permissions import scope_allowed
from stockyard.accounts.roles import Capability, roles_allow
from stockyard.core.problems import flatten_errors
from stockyard.events.announcements import GROUP
from stockyard.events.selectors import FEED_LIMIT, FeedPage, event_feed
from stockyard.events.serializers import EventSerializer, SubscribeSerializer

logger = structlog.get_logger("stockyard.events")

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_PERMISSION_DENIED = 4403
CLOSE_TRY_AGAIN_LATER = 1013  # "Try Again Later", IANA's WebSocket close code registry
# What the channel layer raises while its Redis is unreachable (redis-py, sockets).
LAYER_UNAVAILABLE = (RedisError, OSError)
# Access is checked again before pushing, at most this often: a deactivated user or one
# who lost the capability stops receiving events within this time.
ACCESS_RECHECK_SECONDS = 60.0


@dataclass
class _Grant:
    token: str  # judged again, at most every ACCESS_RECHECK_SECONDS, while pushing
    expires_at: float  # the access token's expiry, as a Unix time
    checked_at: float


def _judge(token: str) -> tuple[float | None, int | None]:
    """The token's expiry if it may follow the feed, else the close code refusing it.

    Judged as the HTTP API judges a bearer token (``accounts.authentication``), JWT or
    OAuth2; an OAuth2 token needs the ``read`` scope, and its user ``events.view``.
    """
    try:
        grant = bearer_authenticate(token)
    except AuthenticationFailed:
        return None, CLOSE_NOT_AUTHENTICATED
    if not roles_allow(grant.user.roles, Capability.EVENTS_VIEW) or not scope_allowed(
        grant.credentials, str(oauth2_settings.READ_SCOPE)
    ):
        return None, CLOSE_PERMISSION_DENIED
    return grant.expires_at, None


class EventStreamConsumer(AsyncWebsocketConsumer):
    """Bad, expired or missing token: close 4401; no ``events.view``: close 4403; the
    channel layer (Redis) unreachable: close 1013, try again later. The client may send
    ``{"subscribe": ["sales_order.*", "stock.*"]}`` (default: every event); anything else
    gets an error frame and the connection stays open."""

    grant: _Grant | None = None
    accepted: bool = False
    cursor: int = 0
    types: list[str]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Run the connection; if the channel layer's Redis fails, close it with 1013.

        Without this, a Redis outage failed the handshake with an HTTP 500 (the layer's
        receive loop raises even before ``connect``). The client's long-poll fallback
        (``GET /api/v1/events/``) keeps working on PostgreSQL alone meanwhile.
        """
        try:
            await super().__call__(scope, receive, send)
        except LAYER_UNAVAILABLE:
            logger.warning("event_stream_unavailable", exc_info=True)
            if not self.accepted:
                await send({"type": "websocket.accept"})  # a refusal carries no close code
            await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        await super().accept(subprotocol, headers)
        self.accepted = True

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        token = query.get("token", [""])[0]
        expires_at, refusal = await database_sync_to_async(_judge)(token)
        if expires_at is None:
            await self.accept()  # a handshake refused outright would carry no close code
            await self.close(code=refusal)
            return
        self.grant, self.types = _Grant(token, expires_at, time.time()), []
        # Join, then read the end: an event sequenced in between is announced to us and
        # then found after the cursor, or is before the cursor, never neither. Accepting
        # last means every event that commits once the client is connected is pushed.
        await self.channel_layer.group_add(GROUP, self.channel_name)
        self.cursor = (await database_sync_to_async(event_feed)(after=None)).cursor
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.grant is None:
            return
        try:
            await self.channel_layer.group_discard(GROUP, self.channel_name)
        except LAYER_UNAVAILABLE:  # the membership expires with the layer's group_expiry
            logger.warning("event_stream_unavailable", exc_info=True)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data) if text_data is not None else None
        except ValueError:
            message = None
        body = SubscribeSerializer(data=message)
        if not isinstance(message, dict) or not body.is_valid():
            errors = flatten_errors(body.errors) if isinstance(message, dict) else {}
            await self.send_frame(
                {
                    "error": "validation_error",
                    "detail": 'Send {"subscribe": ["<type pattern>", ...]}.',
                    "errors": errors,
                }
            )
            return
        self.types = body.validated_data["subscribe"]
        await self.send_frame({"subscribed": self.types})

    async def events_new(self, message: dict[str, Any]) -> None:
        """The feed has grown (a group message): push what follows the cursor."""
        await self.push()

    async def push(self) -> None:
        grant = self.grant
        if grant is None:
            return
        while True:
            page, code = await database_sync_to_async(self._read)(grant)
            if code is not None:
                await self.close(code=code)
                return
            for event in page.events:
                await self.send_frame(EventSerializer(event).data)
            self.cursor = page.cursor
            if len(page.events) < FEED_LIMIT:
                return

    def _read(self, grant: _Grant) -> tuple[FeedPage, int | None]:
        now = time.time()
        if now >= grant.expires_at:
            return FeedPage(events=[], cursor=self.cursor), CLOSE_NOT_AUTHENTICATED
        if now - grant.checked_at >= ACCESS_RECHECK_SECONDS:
            if refusal := _judge(grant.token)[1]:
                return FeedPage(events=[], cursor=self.cursor), refusal
            grant.checked_at = now
        return event_feed(after=self.cursor, types=self.types), None

    async def send_frame(self, content: Any) -> None:
        await self.send(text_data=json.dumps(content))
