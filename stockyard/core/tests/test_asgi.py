"""The ASGI application as uvicorn serves it (in process): a request for a sync view is
handed to a thread once, whole; the waiting views keep the async chain."""

from typing import Any, cast

import httpx
import pytest
from asgiref.sync import SyncToAsync, async_to_sync
from rest_framework_simplejwt.tokens import RefreshToken

from config.asgi import django_asgi_app
from stockyard.accounts.roles import Role
from stockyard.events.services import publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_connection_kept")]


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function handed from the event loop to a thread."""
    calls: list[str] = []
    call = SyncToAsync.__call__

    async def counting(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await call(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counting)
    return calls


def _get(path: str, token: str, **params: Any) -> httpx.Response:
    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=cast(Any, django_asgi_app))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(
                path, params=params, headers={"Authorization": f"Bearer {token}"}
            )

    return async_to_sync(fetch)()


def test_a_sync_view_is_served_in_one_hand_off(make_user, hand_offs):
    """Django's async chain handed each of its middlewares' hooks, the view and the
    request's start and end to a thread one by one (18 hand-offs for this request)."""
    token = str(RefreshToken.for_user(make_user(Role.VIEWER)).access_token)

    response = _get("/api/v1/auth/me/", token)

    assert response.status_code == 200
    assert response.json()["roles"] == ["viewer"]
    assert response.headers["X-Request-ID"]  # the project's middleware ran
    assert response.headers["X-Frame-Options"] == "DENY"  # and Django's
    assert len(hand_offs) == 1


def test_an_unknown_path_is_a_problem_served_in_one_hand_off(make_user, hand_offs):
    token = str(RefreshToken.for_user(make_user(Role.VIEWER)).access_token)

    response = _get("/api/v1/no-such-thing/", token)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert len(hand_offs) == 1


def test_a_waiting_view_keeps_the_async_chain(make_user, hand_offs):
    """The long-poll waits on the event loop: its view is not run in a thread."""
    token = str(RefreshToken.for_user(make_user(Role.VIEWER)).access_token)
    event = publish("stock.changed", {"product": 1})

    response = _get("/api/v1/events/", token, after=0, wait=1)

    assert response.status_code == 200
    assert [found["id"] for found in response.json()["results"]] == [event.pk]
    assert "EventFeedView" not in " ".join(hand_offs)
    assert len(hand_offs) > 1  # Django's async chain, as before


def test_a_streamed_download_is_sent_whole(make_user):
    token = str(RefreshToken.for_user(make_user(Role.MANAGER)).access_token)

    response = _get("/api/v1/reports/inventory-valuation/", token, format="csv")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.text.lstrip("\ufeff").startswith("product,sku,name,warehouse,")
