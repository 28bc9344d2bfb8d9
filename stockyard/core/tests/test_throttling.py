"""Throttle counts hold exactly under concurrency, and survive Redis going away."""

import logging
from collections import Counter

import pytest
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import RefreshToken

from conftest import PASSWORD
from stockyard.accounts.roles import Role
from stockyard.core import throttling
from stockyard.core.testing import run_concurrently

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def fresh_fallback(monkeypatch):
    """Per-process counters and the "cache is down" mark start clean and are put back."""
    monkeypatch.setattr(throttling, "_local", throttling._LocalWindows())
    monkeypatch.setattr(throttling, "_cache_down_until", 0.0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_threads_of_one_user_get_exactly_the_rate(make_user, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"user": "20/hour", "anon": "20/hour"}
    )
    access = str(RefreshToken.for_user(make_user(Role.VIEWER)).access_token)

    def burst(index: int) -> list[int]:
        client = APIClient(HTTP_AUTHORIZATION=f"Bearer {access}")
        return [client.get("/api/v1/auth/me/").status_code for _ in range(5)]

    statuses = Counter(code for codes in run_concurrently(burst, 16) for code in codes)
    assert statuses == {200: 20, 429: 60}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_logins_get_exactly_the_auth_rate(make_user, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth": "10/hour"})
    user = make_user(Role.VIEWER)

    def login(index: int) -> int:
        return (
            APIClient()
            .post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
            .status_code
        )

    assert Counter(run_concurrently(login, 16)) == {200: 10, 429: 6}


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_fallback")
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "stockyard.core.cache.SharedClientRedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
)
def test_with_redis_unreachable_the_api_serves_and_throttles_per_process(
    client_for, monkeypatch, caplog
):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/hour", "anon": "3/hour"})
    client = client_for(Role.ADMIN)
    client.raise_request_exception = False
    with caplog.at_level(logging.WARNING, logger="stockyard.core.throttling"):
        created = client.post("/api/v1/warehouses/", {"code": "W1", "name": "Main"})
        assert created.status_code == 201, created.content
        assert client.get("/api/v1/warehouses/").status_code == 200
        assert client.get(f"/api/v1/warehouses/{created.json()['id']}/").status_code == 200
        assert client.get("/api/v1/warehouses/").status_code == 429
    assert "throttle_cache_unavailable" in caplog.text
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["cache"].startswith("failed")
