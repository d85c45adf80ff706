"""Django's Redis cache backend with one connection pool per process.

Django keeps a cache backend object per thread and per asyncio context (asgiref's `Local`), and
its `RedisCache` keeps the connection pool inside that object (Django ticket #35651). Under ASGI
every request, and every WebSocket (its `cached_db` session loads through the cache), made a
pool of its own and kept a Redis connection open in it: 1,000 signaling sockets held 1,000
connections to Redis, and the pools' helper objects lengthened every garbage collection of the
worker (docs/benchmarks.md, signaling relay, fix 10). Django also builds a
`redis.Redis` client per operation. redis-py's pool and client are thread-safe, so here each
process has one client, and one pool, per server and set of options, whatever object asks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.utils.functional import cached_property

_lock = threading.Lock()
_shared: dict[tuple[tuple[str, ...], str], SharedRedisCacheClient] = {}


class SharedRedisCacheClient(RedisCacheClient):
    """Django's client with one `redis.Redis` (and its pool) per server, made once."""

    # Django's own attributes (set by its __init__; django-stubs leaves them out).
    _servers: list[str]
    _pool_class: Any
    _pool_options: dict[str, Any]
    _client: Any
    _get_connection_pool_index: Callable[[bool], int]

    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            with _lock:
                client = self._clients.get(index)
                if client is None:
                    pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                    client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """`django.core.cache.backends.redis.RedisCache` sharing one client per process."""

    _servers: list[str]
    _options: dict[str, Any]

    @cached_property
    def _cache(self) -> SharedRedisCacheClient:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            client = _shared.get(key)
            if client is None:
                client = _shared[key] = SharedRedisCacheClient(self._servers, **self._options)
        return client
