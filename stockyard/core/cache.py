"""Django's Redis cache, with one client (and so one connection pool) per process, and a
fixed-window counter in one round trip.

Django keeps a cache backend per thread, and under ASGI every request runs in a thread
of its own: each request built a new backend, a new client and a new connection pool,
and so opened a new connection to Redis (the throttles read the cache on every request).
This backend shares the client between all its instances in a process, and the client
makes its ``redis.Redis`` objects once (Django's makes one per cache call); redis-py's
pool is thread-safe and starts afresh in a forked child.
"""

import threading
from functools import cached_property
from typing import Any, ClassVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

# INCR, and on the window's first hit EXPIRE: atomic in Redis, one round trip (EVALSHA).
_COUNT_IN_WINDOW = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class _ReusingClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per server instead of one per call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[bool, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        if write not in self._clients:  # a race makes one twice: both work, one is kept
            self._clients[write] = super().get_client(key, write=write)
        return self._clients[write]

    @cached_property
    def count_in_window(self) -> Any:
        return self.get_client(write=True).register_script(_COUNT_IN_WINDOW)


class SharedClientRedisCache(RedisCache):
    _clients: ClassVar[dict[str, RedisCacheClient]] = {}
    _clients_lock = threading.Lock()

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient
        self._client_key = f"{server!r} {params.get('OPTIONS', {})!r}"

    @cached_property
    def _cache(self) -> Any:
        with self._clients_lock:
            if self._client_key not in self._clients:
                self._clients[self._client_key] = super()._cache
            return self._clients[self._client_key]

    def count_in_window(self, key: str, seconds: int) -> int:
        """Add one to the counter ``key`` and return it; a new counter expires after
        ``seconds``. Atomic, one round trip. Raises ``redis.RedisError`` when Redis is
        unreachable."""
        return int(
            self._cache.count_in_window(keys=[self.make_and_validate_key(key)], args=[seconds])
        )
