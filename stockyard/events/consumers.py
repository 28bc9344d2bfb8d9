"""``ws /ws/events/?token=<access JWT>``: the event feed pushed as it grows.

Each connection keeps its own cursor in the feed, starting at the present end. The
group message only says "new events"; the consumer then reads the feed after its
cursor, so it pushes every event once, in feed order, whatever announcements are lost,
late or repeated.
"""

import json
import time
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenError

from stockyard.accounts.models import User
from stockyard.accounts.roles import Capability, roles_allow
from stockyard.accounts.tokens import JWTAuthentication
from stockyard.core.problems import flatten_errors
from stockyard.events.announcements import GROUP
from stockyard.events.selectors import FEED_LIMIT, FeedPage, event_feed
from stockyard.events.serializers import EventSerializer, SubscribeSerializer

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_PERMISSION_DENIED = 4403
# Access is checked again before pushing, at most this often: a deactivated user or one
# who lost the capability stops receiving events within this time.
ACCESS_RECHECK_SECONDS = 60.0


@dataclass
class _Grant:
    user_id: int
    token_epoch: int  # revoked when the user's epoch moves on (accounts.tokens)
    expires_at: float  # the access token's expiry, as a Unix time
    checked_at: float


def _grant_for(raw_token: str) -> tuple[_Grant | None, int | None]:
    """The connection's grant, or the close code refusing it."""
    authentication = JWTAuthentication()
    try:
        token = authentication.get_validated_token(raw_token.encode())
        user = cast(User, authentication.get_user(token))
    except (TokenError, AuthenticationFailed):
        return None, CLOSE_NOT_AUTHENTICATED
    if not roles_allow(user.roles, Capability.EVENTS_VIEW):
        return None, CLOSE_PERMISSION_DENIED
    return _Grant(user.pk, user.token_epoch, float(token["exp"]), time.time()), None


def _refusal(grant: _Grant) -> int | None:
    """The close code for a connection whose token was revoked or whose user lost access
    since it was granted; None while it may go on."""
    user = User.objects.filter(pk=grant.user_id).prefetch_related("groups").first()
    if user is None or not user.is_active or user.token_epoch != grant.token_epoch:
        return CLOSE_NOT_AUTHENTICATED
    return None if roles_allow(user.roles, Capability.EVENTS_VIEW) else CLOSE_PERMISSION_DENIED


class EventStreamConsumer(AsyncWebsocketConsumer):
    """Bad, expired or missing token: close 4401; no ``events.view``: close 4403. The
    client may send ``{"subscribe": ["sales_order.*", "stock.*"]}`` (default: every
    event); anything else gets an error frame and the connection stays open."""

    grant: _Grant | None = None
    cursor: int = 0
    types: list[str]

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        grant, refusal = await database_sync_to_async(_grant_for)(query.get("token", [""])[0])
        if grant is None:
            await self.accept()  # a handshake refused outright would carry no close code
            await self.close(code=refusal)
            return
        self.grant, self.types = grant, []
        # Join, then read the end: an event sequenced in between is announced to us and
        # then found after the cursor, or is before the cursor, never neither. Accepting
        # last means every event that commits once the client is connected is pushed.
        await self.channel_layer.group_add(GROUP, self.channel_name)
        self.cursor = (await database_sync_to_async(event_feed)(after=None)).cursor
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.grant is not None:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

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
            if refusal := _refusal(grant):
                return FeedPage(events=[], cursor=self.cursor), refusal
            grant.checked_at = now
        return event_feed(after=self.cursor, types=self.types), None

    async def send_frame(self, content: Any) -> None:
        await self.send(text_data=json.dumps(content))
