"""Hands and media state live next to presence: in Redis with the Redis channel layer, so every
ASGI process sees the same queue of raised hands."""

import pytest

from classmeet.rooms import presence
from classmeet.rooms.classroom import ClassroomState

pytestmark = pytest.mark.redis


async def test_two_processes_share_hands_and_media_state(redis_layer):
    assert isinstance(presence.get_store(), presence.RedisPresenceStore)
    here, there = ClassroomState(), ClassroomState()  # one per ASGI process
    assert await here.raise_hand(7, "a" * 32, 100.0) == 100.0
    assert await there.raise_hand(7, "b" * 32, 101.0) == 101.0
    # Raising again from another process keeps the first time (its place in the queue).
    assert await there.raise_hand(7, "a" * 32, 150.0) == 100.0
    await here.set_media(7, "b" * 32, {"mic": False, "camera": True, "screen": False})
    hands, media = await there.snapshot(7)
    assert hands == {"a" * 32: 100.0, "b" * 32: 101.0}
    assert media == {"b" * 32: {"mic": False, "camera": True, "screen": False}}
    assert await there.lower_hand(7, "a" * 32) is True
    assert await here.lower_hand(7, "a" * 32) is False
    await here.forget(7, "b" * 32)
    assert await there.snapshot(7) == ({}, {})
    # Rooms are separate.
    await here.raise_hand(8, "c" * 32, 1.0)
    assert (await there.snapshot(7))[0] == {}


async def test_the_in_process_state_without_redis():
    presence._stores.clear()
    state = ClassroomState()
    assert await state.raise_hand(1, "a" * 32, 5.0) == 5.0
    assert await state.raise_hand(1, "a" * 32, 9.0) == 5.0
    await state.set_media(1, "a" * 32, {"mic": True, "camera": False, "screen": True})
    assert await state.snapshot(1) == (
        {"a" * 32: 5.0},
        {"a" * 32: {"mic": True, "camera": False, "screen": True}},
    )
    await state.forget(1, "a" * 32)
    assert await state.snapshot(1) == ({}, {})
