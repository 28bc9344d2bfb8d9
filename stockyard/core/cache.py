"""Django's Redis cache, with one client (and so one connection pool) per process.

Django keeps a cache backend per thread, and under ASGI every request runs in a thread
of its own: each request built a new backend, a new client and a new connection pool,
and so opened a new connection to Redis (the throttles read the cache on every request).
This backend shares the client between all its instances in a process; redis-py's
pool is thread-safe and starts afresh in a forked child.
"""

import threading
from functools import cached_property
from typing import Any, ClassVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCache(RedisCache):
    _clients: ClassVar[dict[str, RedisCacheClient]] = {}
    _clients_lock = threading.Lock()

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._client_key = f"{server!r} {params.get('OPTIONS', {})!r}"

    @cached_property
    def _cache(self) -> Any:
        with self._clients_lock:
            if self._client_key not in self._clients:
                self._clients[self._client_key] = super()._cache
            return self._clients[self._client_key]
