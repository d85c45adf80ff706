"""The Redis cache backend on a real Redis: requests and sockets in their own asyncio contexts and
threads (each gets its own backend object from Django) share one connection pool per process."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
import redis
from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.test import override_settings

pytestmark = pytest.mark.redis


def connections_named(redis_url: str, name: str) -> int:
    client = redis.Redis.from_url(redis_url)
    try:
        return sum(1 for entry in client.client_list() if entry.get("name") == name)
    finally:
        client.close()


def settings_for(redis_url: str, name: str, backend: str) -> dict[str, object]:
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": redis_url,
            "KEY_PREFIX": name,
            "OPTIONS": {"client_name": name},
        }
    }


def use_cache(key: str, barrier: threading.Barrier | None = None) -> object:
    cache = caches["default"]
    cache.set(key, {"v": key}, 30)
    if barrier is not None:
        barrier.wait(10)  # every worker holds its backend object at the same time
    return cache.get(key)


@pytest.mark.parametrize(
    ("backend", "held_connections"),
    [
        ("classmeet.core.cache.RedisCache", 1),
        # Django's own backend, as a check that this test sees the problem it guards against.
        ("django.core.cache.backends.redis.RedisCache", 30),
    ],
)
async def test_thirty_socket_contexts_share_one_connection(
    redis_url: str, backend: str, held_connections: int
) -> None:
    name = f"cmtest-{uuid.uuid4().hex[:10]}"
    with override_settings(CACHES=settings_for(redis_url, name, backend)):

        async def socket(n: int) -> object:
            # A consumer's session load: sync code in the sync thread, from the socket's context.
            return await sync_to_async(use_cache)(f"k{n}")

        tasks = [asyncio.create_task(socket(n)) for n in range(30)]
        got = await asyncio.gather(*tasks)
        assert got == [{"v": f"k{n}"} for n in range(30)]
        held = connections_named(redis_url, name)
        caches["default"].delete_many([f"k{n}" for n in range(30)])
    assert held == held_connections


def test_threads_at_once_share_one_pool(redis_url: str) -> None:
    name = f"cmtest-{uuid.uuid4().hex[:10]}"
    with override_settings(CACHES=settings_for(redis_url, name, "classmeet.core.cache.RedisCache")):
        barrier = threading.Barrier(8)
        results: list[object] = []
        threads = [
            threading.Thread(target=lambda n=n: results.append(use_cache(f"t{n}", barrier)))
            for n in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
        assert sorted(map(repr, results)) == sorted(repr({"v": f"t{n}"}) for n in range(8))
        # The pool opens a connection per command running at the same moment, at most one
        # per thread, and keeps them for the next command; a pool per thread would hold 8.
        assert 1 <= connections_named(redis_url, name) <= 8
        held = connections_named(redis_url, name)
        # 8 more threads, one after the other, each with a backend object of its own: they
        # reuse the pool's idle connections (a pool per thread would add one each).
        for n in range(8, 16):
            thread = threading.Thread(target=lambda n=n: results.append(use_cache(f"t{n}")))
            thread.start()
            thread.join(20)
        assert len(results) == 16
        assert connections_named(redis_url, name) == held
        caches["default"].delete_many([f"t{n}" for n in range(16)])
