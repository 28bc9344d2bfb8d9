import threading
import uuid
from typing import Any

import pytest
from redis import Redis
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from stockyard.accounts.roles import Role
from stockyard.core.cache import SharedClientRedisCache


def _client_in_new_thread(url: str) -> object:
    """What a request served by uvicorn gets: a backend made in a thread of its own."""
    found: list[object] = []

    def read() -> None:
        backend = SharedClientRedisCache(url, {})
        found.append(backend._cache.get_client(write=True).connection_pool)

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return found[0]


def test_backends_of_different_requests_share_one_connection_pool():
    url = "redis://127.0.0.1:6379/15"
    first, second = _client_in_new_thread(url), _client_in_new_thread(url)
    assert first is second
    assert _client_in_new_thread("redis://127.0.0.1:6379/14") is not first


@pytest.fixture
def redis_cache(settings) -> SharedClientRedisCache:
    """The production cache on this environment's Redis (``REDIS_URL``)."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL=redis://...)")
    return SharedClientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4()}"})


def test_a_window_counter_counts_and_expires(redis_cache):
    assert [redis_cache.count_in_window("w", 30) for _ in range(3)] == [1, 2, 3]
    client = redis_cache._cache.get_client(write=True)
    assert 0 < client.ttl(redis_cache.make_key("w")) <= 30


def test_cache_calls_reuse_one_redis_client(redis_cache):
    """Django's client made a ``redis.Redis`` object for every cache call."""
    assert redis_cache._cache.get_client(write=True) is redis_cache._cache.get_client(write=True)


@pytest.mark.django_db
def test_a_throttled_request_costs_one_redis_round_trip(settings, make_user, monkeypatch):
    """The throttle's count was a SET NX and an INCR: two round trips per request. Then,
    with the production cache configured, still two: the throttle asked whether
    ``django.core.cache.cache`` (a proxy) was a ``SharedClientRedisCache``, never true."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL=redis://...)")
    settings.CACHES = {
        "default": {
            "BACKEND": "stockyard.core.cache.SharedClientRedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4()}",
        }
    }
    access = RefreshToken.for_user(make_user(Role.VIEWER)).access_token
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {access}")
    client.get("/api/v1/auth/me/")  # Redis learns the script: once per Redis
    commands: list[str] = []
    execute = Redis.execute_command

    def recording(self: Redis, *args: Any, **options: Any) -> Any:
        commands.append(str(args[0]))
        return execute(self, *args, **options)

    monkeypatch.setattr(Redis, "execute_command", recording)

    statuses = [client.get("/api/v1/auth/me/").status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert commands == ["EVALSHA"] * 3
