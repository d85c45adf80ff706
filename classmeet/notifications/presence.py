"""Which users have a notifications socket (/ws/notifications/) open, across processes.

A fan-out pushes only to them: the others have no tab to update, and a push into an empty group
still costs a channel-layer round trip (about 1 ms each with Redis: 1.5 s for a course of 1,000).

Presence is shared exactly as widely as the channel layer, as the rooms' is
(classmeet/rooms/presence.py): in Redis next to the layer, with its prefix, when the default layer
is channels_redis; in this process otherwise. Every open socket sets its user's key on connect and
refreshes it every `refresh_seconds()`, with a time-to-live of `ttl_seconds()`. A closing socket
does not delete the key (another tab of the same user may still be open): the user stays "online"
until the key expires, which costs at worst a push nobody receives, never a missed one.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from classmeet.core.layer_address import redis_layer_target

_CHUNK = 1000  # keys per MGET


def ttl_seconds() -> int:
    return int(getattr(settings, "CLASSMEET_NOTIFICATION_PRESENCE_TTL_SECONDS", 120))


def refresh_seconds() -> float:
    return ttl_seconds() / 3


class LocalPresence:
    """One process: a dict. Used with the in-memory channel layer (development, unit tests)."""

    def __init__(self) -> None:
        self._until: dict[int, float] = {}
        self._lock = threading.Lock()

    async def mark(self, user_id: int) -> None:
        with self._lock:
            self._until[user_id] = time.monotonic() + ttl_seconds()

    def online(self, user_ids: Iterable[int]) -> set[int]:
        now = time.monotonic()
        with self._lock:
            return {uid for uid in user_ids if self._until.get(uid, 0.0) > now}


class RedisPresence:
    """One key per online user, `<layer prefix>:notifications:online:<user id>`, with a TTL."""

    def __init__(self, *, address: str, prefix: str) -> None:
        self.address = address
        self.prefix = prefix
        self._sync: Any = None
        # redis.asyncio clients belong to one event loop; tests and servers may run several.
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    def key(self, user_id: int) -> str:
        return f"{self.prefix}:notifications:online:{user_id}"

    async def mark(self, user_id: int) -> None:
        import redis.asyncio as redis

        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            pool = redis.BlockingConnectionPool.from_url(
                self.address, max_connections=20, timeout=20, socket_timeout=10
            )
            client = self._async[loop] = redis.Redis(connection_pool=pool)
        await client.set(self.key(user_id), b"1", ex=ttl_seconds())

    def online(self, user_ids: Iterable[int]) -> set[int]:
        import redis

        if self._sync is None:
            self._sync = redis.Redis.from_url(self.address, socket_timeout=10)
        ids = list(user_ids)
        found: set[int] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            values = self._sync.mget([self.key(uid) for uid in chunk])
            found.update(uid for uid, value in zip(chunk, values, strict=True) if value)
        return found


_stores: dict[str, LocalPresence | RedisPresence] = {}


def get_store() -> LocalPresence | RedisPresence:
    """Return the store that matches the default channel layer's reach (one per configuration)."""
    target = redis_layer_target()
    if target is None:
        return _stores.setdefault("local", LocalPresence())
    address, prefix = target
    cache_key = f"redis|{address}|{prefix}"
    if cache_key not in _stores:
        _stores[cache_key] = RedisPresence(address=address, prefix=prefix)
    return _stores[cache_key]


async def mark_online(user_id: int) -> None:
    """Record that this user has a notifications socket open (now and for `ttl_seconds()`)."""
    await get_store().mark(user_id)


def online_user_ids(user_ids: Iterable[int]) -> set[int]:
    """Return those of `user_ids` with a notifications socket open (one Redis round trip)."""
    return get_store().online(user_ids)
