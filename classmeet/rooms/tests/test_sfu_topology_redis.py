"""The room's topology lives next to presence: in Redis with the Redis channel layer, so when
several ASGI processes see the threshold crossed at once, exactly one switches the room."""

import asyncio

import pytest

from classmeet.rooms import presence
from classmeet.rooms.sfu import topology

pytestmark = pytest.mark.redis


async def test_one_of_many_concurrent_switches_wins_and_the_end_resets(redis_layer):
    assert isinstance(presence.get_store(), presence.RedisPresenceStore)
    assert await topology.topology_get(meeting_id=31) == topology.MESH
    results = await asyncio.gather(*(topology.topology_switch(meeting_id=31) for _ in range(8)))
    assert results.count(True) == 1
    assert await topology.topology_get(meeting_id=31) == topology.SFU
    assert await topology.topology_get(meeting_id=32) == topology.MESH  # per meeting
    await topology.topology_reset(meeting_id=31)
    assert await topology.topology_get(meeting_id=31) == topology.MESH


async def test_local_store_without_redis(settings, monkeypatch):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    presence._stores.clear()
    monkeypatch.setattr(topology, "_local", set())
    assert await topology.topology_switch(meeting_id=5) is True
    assert await topology.topology_switch(meeting_id=5) is False
    assert await topology.topology_get(meeting_id=5) == topology.SFU
    await topology.topology_reset(meeting_id=5)
    assert await topology.topology_get(meeting_id=5) == topology.MESH
    presence._stores.clear()
