"""Locks live next to presence: in Redis with the Redis channel layer, so every ASGI process
enforces the same locks; changes from two processes at once are both kept."""

import asyncio

import pytest

from classmeet.rooms import presence
from classmeet.rooms.locks import LocksState, lock_room, lock_user, locked_devices

pytestmark = pytest.mark.redis


async def test_two_processes_share_the_locks(redis_layer):
    assert isinstance(presence.get_store(), presence.RedisPresenceStore)
    here, there = LocksState(), LocksState()  # one per ASGI process
    await here.update(7, lock_room({"mic": True}, {1}))
    await asyncio.gather(
        there.update(7, lock_user(5, {"mic": False}, {1})),
        here.update(7, lock_user(6, {"chat": True}, {1})),
    )
    seen = await there.get(7)
    assert seen.room.mic is True
    assert [(u.userId, u.mic, u.chat) for u in seen.users] == [(5, False, None), (6, None, True)]
    assert locked_devices(seen, 5) == set()
    assert locked_devices(seen, 6) == {"mic", "chat"}
    # Locking the room's mic again ends the mic exceptions (6's chat lock stays).
    after = await there.update(7, lock_room({"mic": True}, {1}))
    assert [(u.userId, u.chat) for u in after.users] == [(6, True)]
    assert (await here.get(8)).room.mic is False  # rooms are separate


async def test_the_in_process_locks_without_redis():
    presence._stores.clear()
    state = LocksState()
    await state.update(1, lock_room({"camera": True}, {9}))
    await state.update(1, lock_user(2, {"camera": False}, {9}))
    got = await state.get(1)
    assert locked_devices(got, 2) == set()
    assert locked_devices(got, 3) == {"camera"}
    assert got.staff == [9]


@pytest.mark.django_db(transaction=True)
async def test_sockets_on_the_redis_layer_enforce_the_shared_locks(
    redis_layer, live_meeting, enrollment, teacher, student
):
    from classmeet.rooms.tests.conftest import joined
    from classmeet.rooms.tests.test_classroom import next_of

    t = await joined(teacher, live_meeting.pk)
    s = await joined(student, live_meeting.pk)
    for peer in (t, s):
        await next_of(peer, "room-state")
    await t.send({"type": "lock", "chat": True})
    assert (await next_of(s, "locks"))["room"]["chat"] is True
    await s.send({"type": "chat", "text": "hello"})
    assert (await next_of(s, "error"))["code"] == "locked"
    # What another process would read: the state is in Redis.
    assert locked_devices(await LocksState().get(live_meeting.pk), student.pk) == {"chat"}
    for peer in (t, s):
        await peer.close()
