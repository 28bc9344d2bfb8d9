"""Requests served by the async handler (as under uvicorn): the middleware chain stays
async, so a view that waits (the event long-poll) waits on the event loop."""

import logging

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient
from django.utils.module_loading import import_string
from rest_framework_simplejwt.tokens import RefreshToken

from stockyard.accounts.roles import Role
from stockyard.core.tests import urls as test_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls("stockyard.core.tests.urls")]


def test_every_middleware_can_run_async():
    """One sync-only middleware would run the rest of the chain, and the view, under
    async_to_sync in a thread that stays parked while a long-poll waits."""
    sync_only = [
        path
        for path in settings.MIDDLEWARE
        if not getattr(import_string(path), "async_capable", False)
    ]
    assert sync_only == []


def test_an_async_request_is_logged_with_its_request_id_and_user(make_user, caplog):
    caplog.set_level(logging.INFO, logger="stockyard.request")
    user = make_user(Role.VIEWER)
    token = RefreshToken.for_user(user).access_token
    response = async_to_sync(AsyncClient().get)(
        "/api/v1/auth/me/", headers={"X-Request-ID": "async-1", "Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "async-1"
    line = [r.msg for r in caplog.records if r.name == "stockyard.request"][-1]
    assert (line["request_id"], line["status"], line["user_id"]) == ("async-1", 200, user.pk)


def test_an_async_retry_with_the_same_idempotency_key_is_replayed(make_user):
    test_urls.counter.calls = 0
    token = RefreshToken.for_user(make_user(Role.VIEWER)).access_token
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "async-key"}
    client = AsyncClient()

    async def post_twice():
        first = await client.post(
            "/api/v1/test/counter/", {"a": 1}, content_type="application/json", headers=headers
        )
        second = await client.post(
            "/api/v1/test/counter/", {"a": 1}, content_type="application/json", headers=headers
        )
        return first, second

    first, second = async_to_sync(post_twice)()
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert test_urls.counter.calls == 1
