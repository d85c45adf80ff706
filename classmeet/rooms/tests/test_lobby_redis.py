"""The waiting room with Redis: who waits is shared by every ASGI process, and the knock and the
admission cross processes through the channel layer."""

import asyncio
import json
import time

import pytest

from classmeet.meetings.models import Meeting, RoomAdmission
from classmeet.rooms import lobby, presence
from classmeet.rooms.lobby import LobbyState
from classmeet.rooms.tests.conftest import joined, open_socket
from classmeet.rooms.tests.test_classroom import db, next_frame, next_of
from classmeet.rooms.tests.test_redis_processes import (  # noqa: F401 (the fixture)
    connect,
    open_client,
    start_server,
)

pytestmark = pytest.mark.redis


def entry(user_id: int, since: float, *, seen: float | None = None) -> dict[str, object]:
    return {"user_id": user_id, "name": f"User {user_id}", "since": since, "seen": seen or since}


async def test_two_processes_share_who_waits(redis_layer):
    assert isinstance(presence.get_store(), presence.RedisPresenceStore)
    here, there = LobbyState(), LobbyState()  # one per ASGI process
    now = time.time()
    v1, _listing = await here.put(7, "chan-a", entry(1, now - 5))
    v2, listing = await there.put(7, "chan-b", entry(2, now - 3))
    await here.put(7, "chan-c", entry(1, now - 1))  # a second tab of user 1
    assert v2 > v1
    assert [(w.userId, w.name) for w in listing] == [(1, "User 1"), (2, "User 2")]
    # A socket of a crashed process stops being refreshed and drops out of the list.
    await there.put(7, "chan-d", entry(3, now - 100, seen=now - 100))
    version, listing = await here.listing(7)
    assert [w.userId for w in listing] == [1, 2]
    found, _v, listing = await there.drop(7, "chan-a")
    assert found
    assert [w.userId for w in listing] == [2, 1]  # user 1's later tab still waits
    admitted, last, listing = await here.drop_users(7, {1, 3, 9})
    assert admitted == [1]  # 3 is stale, 9 never knocked
    assert [w.userId for w in listing] == [2]
    assert last > version
    assert (await there.entries(7)).keys() == {"chan-b"}
    assert (await there.listing(8)) == (0, [])  # rooms are separate


async def test_the_in_process_lobby_without_redis():
    presence._stores.clear()
    state = LobbyState()
    now = time.time()
    version, listing = await state.put(1, "a", entry(5, now))
    assert version == 1
    assert [w.userId for w in listing] == [5]
    assert await state.drop(1, "zzz") == (False, 2, listing)
    assert (await state.drop_users(1, {5}))[:2] == ([5], 3)
    assert await state.listing(1) == (3, [])


@pytest.mark.django_db(transaction=True)
async def test_knock_and_admit_on_the_redis_layer(
    redis_layer, monkeypatch, live_meeting, enrollment, teacher, student
):
    monkeypatch.setattr(lobby, "lobby", LobbyState())
    await db(Meeting.objects.filter(pk=live_meeting.pk).update, waiting_room=True)
    t = await joined(teacher, live_meeting.pk)
    s, connected = await open_socket(student, live_meeting.pk)
    assert connected
    await s.send({"type": "join"})
    assert (await next_frame(s))["type"] == "waiting"
    assert (await next_of(t, "knock"))["userId"] == student.pk
    await t.send({"type": "chat", "text": "not for the waiting"})
    await next_of(t, "chat")
    assert await s.ws.receive_nothing(timeout=0.3)
    await t.send({"type": "admit", "userId": student.pk})
    welcome = await next_frame(s)
    assert welcome["type"] == "welcome"
    assert [p["peerId"] for p in welcome["participants"]] == [t.peer_id]
    assert [line["text"] for line in (await next_of(s, "room-state"))["chat"]] == [
        "not for the waiting"
    ]
    assert (await next_of(t, "user-joined"))["peerId"] == welcome["peerId"]
    await s.close()
    await t.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
async def test_a_student_on_one_process_is_admitted_by_the_teacher_on_another(
    start_server,  # noqa: F811
    teacher,
    student,
    enrollment,
    live_meeting,
):
    await db(Meeting.objects.filter(pk=live_meeting.pk).update, waiting_room=True)
    one, two = start_server(), start_server()
    t = await connect(one, teacher, live_meeting.pk)
    ws = (await open_client(two, student, live_meeting.pk)).ws

    async def frame_of(type_: str) -> dict[str, object]:
        while True:
            frame = json.loads(await asyncio.wait_for(t.ws.recv(), 5))
            if frame["type"] == type_:
                return dict(frame)

    await ws.send(json.dumps({"type": "join"}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "waiting"
    assert (await frame_of("knock"))["userId"] == student.pk
    await t.send({"type": "admit", "userId": student.pk})
    welcome = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert welcome["type"] == "welcome"
    assert [p["peerId"] for p in welcome["participants"]] == [t.peer_id]
    assert (await t.recv_type("user-joined"))["peerId"] == welcome["peerId"]
    assert await db(RoomAdmission.objects.filter(user=student).exists)
    await ws.close()
    await t.ws.close()
