"""DRF rate throttles whose counting is atomic, and that outlive a Redis outage.

DRF's ``SimpleRateThrottle`` reads a list of timestamps from the cache, appends, and
writes it back: concurrent requests read the same list and all pass (16 threads got 2,809
requests through a 1,200/minute limit). These throttles count in a fixed window with an
atomic counter: exactly ``N`` requests per window pass, however many arrive at once.
With Redis (``SharedClientRedisCache``) the count is one round trip, ``INCR`` and, on a
window's first request, ``EXPIRE``, in one script; other caches use ``add`` + ``incr``.
A fixed window lets a client spend its budget at the end of one window and again at the
start of the next (at most ``2N`` in any ``duration``), the usual price of one atomic
counter per window.

When the cache is unreachable, counting falls back to this process's memory (per-process
limits, so N workers allow up to N times the rate) with a logged warning, and the cache is
not asked again for ``CACHE_RETRY_SECONDS``: the API keeps answering with Redis down.

Scopes and rates stay DRF's: ``THROTTLE_RATES`` / ``DEFAULT_THROTTLE_RATES``.
"""

import threading
import time
from typing import TYPE_CHECKING

import structlog
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from redis.exceptions import RedisError
from rest_framework import throttling
from rest_framework.request import Request

from stockyard.core.cache import SharedClientRedisCache

if TYPE_CHECKING:  # rest_framework.views imports the throttle classes named in settings
    from rest_framework.views import APIView

logger = structlog.get_logger(__name__)

CACHE_RETRY_SECONDS = 5.0


class _LocalWindows:
    """Per-process fixed-window counters, used while the shared cache is down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def hit(self, key: str, expires_at: float) -> int:
        now = time.time()
        with self._lock:
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            count, _ = self._counts.get(key, (0, expires_at))
            self._counts[key] = (count + 1, expires_at)
            return count + 1


_local = _LocalWindows()
_cache_down_until = 0.0


def _shared_hit(key: str, timeout: int) -> int:
    # The backend itself: ``django.core.cache.cache`` is a proxy, never an instance of it.
    cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, SharedClientRedisCache):  # production: one round trip
        return cache.count_in_window(key, timeout)
    cache.add(key, 0, timeout=timeout)  # Django's other caches (no REDIS_URL)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: start the window again
        cache.add(key, 0, timeout=timeout)
        return int(cache.incr(key))


def window_hit(key: str, duration: int) -> tuple[int, float]:
    """Count one request against ``key`` in the current window of ``duration`` seconds.

    Returns the count so far in this window (this request included) and the seconds until
    the window ends.
    """
    global _cache_down_until  # noqa: PLW0603
    now = time.time()
    window = int(now // duration)
    window_key = f"throttle:{key}:{window}"
    window_ends = (window + 1) * duration
    if now >= _cache_down_until:
        try:
            return _shared_hit(window_key, duration + 1), window_ends - now
        except RedisError as exc:
            _cache_down_until = now + CACHE_RETRY_SECONDS
            logger.warning(
                "throttle_cache_unavailable",
                error=f"{type(exc).__name__}: {exc}",
                fallback="per-process limits",
                retry_in_seconds=CACHE_RETRY_SECONDS,
            )
    return _local.hit(window_key, window_ends), window_ends - now


class AtomicRateThrottle(throttling.SimpleRateThrottle):
    """``SimpleRateThrottle`` counted with ``window_hit``; subclasses pick the key."""

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        num_requests, duration = self.parse_rate(self.rate)
        assert num_requests is not None and duration is not None
        count, self._wait = window_hit(self.key, duration)
        return count <= num_requests

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class AnonRateThrottle(AtomicRateThrottle, throttling.AnonRateThrottle):
    """Anonymous requests, per client address (``core.proxies``)."""


class UserRateThrottle(AtomicRateThrottle, throttling.UserRateThrottle):
    """Authenticated requests per user, anonymous ones per client address."""
