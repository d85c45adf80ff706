"""Locks, an enforced mute (rooms/locks.py): `lock`, `lock-peer`, `locks` to everybody and in
`room-state`, and the server's refusals of a locked student's chat and media."""

import pytest

from classmeet.meetings.models import ChatMessage
from classmeet.rooms import classroom, locks
from classmeet.rooms.tests import test_assistants, test_classroom
from classmeet.rooms.tests.conftest import Peer, joined
from classmeet.rooms.tests.test_classroom import db, next_of

pytestmark = pytest.mark.django_db(transaction=True)

# The neighbours' fixtures: the room with the student enrolled, a second student, an assistant.
room = test_classroom.room
assistant = test_assistants.assistant

UNLOCKED = {"mic": False, "camera": False, "screen": False, "chat": False}


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch):
    monkeypatch.setattr(classroom, "state", classroom.ClassroomState())
    monkeypatch.setattr(locks, "state", locks.LocksState())


async def settle(*peers: Peer) -> None:
    for peer in peers:
        await next_of(peer, "room-state")


async def test_a_room_lock_reaches_everybody_and_late_joiners(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await settle(t, s)
    await t.send({"type": "lock", "mic": True, "chat": True})
    expected = {
        "type": "locks",
        "room": {**UNLOCKED, "mic": True, "chat": True},
        "users": [],
        "staff": [teacher.pk],
    }
    assert await next_of(s, "locks") == expected
    assert await next_of(t, "locks") == expected
    late = await joined(student, room.pk)  # the student's second tab
    state = await next_of(late, "room-state")
    assert state["locks"] == expected
    await t.send({"type": "lock", "mic": False})
    assert (await next_of(late, "locks"))["room"] == {**UNLOCKED, "chat": True}
    for peer in (t, s, late):
        await peer.close()


async def test_room_state_without_locks_says_nothing_is_locked(room, student):
    s = await joined(student, room.pk)
    state = await next_of(s, "room-state")
    assert state["locks"] == {"type": "locks", "room": UNLOCKED, "users": [], "staff": []}
    await s.close()


async def test_a_locked_students_chat_is_refused_and_not_stored(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await settle(t, s)
    await t.send({"type": "lock", "chat": True})
    await next_of(s, "locks")
    await s.send({"type": "chat", "text": "let me talk"})
    error = await next_of(s, "error")
    assert (error["code"], error["detail"]) == ("locked", ["chat"])
    assert await db(ChatMessage.objects.count) == 0
    # Staff are never locked.
    await t.send({"type": "chat", "text": "quiet please"})
    assert (await next_of(s, "chat"))["text"] == "quiet please"
    for peer in (t, s):
        await peer.close()


async def test_a_locked_device_cannot_be_turned_on(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await settle(t, s)
    await t.send({"type": "lock", "mic": True, "screen": True})
    await next_of(s, "locks")
    await s.send({"type": "media-state", "mic": True, "camera": True, "screen": True})
    error = await next_of(s, "error")
    assert (error["code"], error["detail"]) == ("locked", ["mic", "screen"])
    seen = await next_of(t, "media-state")
    assert (seen["mic"], seen["camera"], seen["screen"]) == (False, True, False)
    _hands, media = await classroom.state.snapshot(room.pk)
    assert media[s.peer_id] == {"mic": False, "camera": True, "screen": False}
    # Turning devices off is always fine; the teacher's own mic stays free.
    await s.send({"type": "media-state", "mic": False, "camera": False})
    assert (await next_of(t, "media-state"))["camera"] is False
    await t.send({"type": "media-state", "mic": True, "camera": True})
    assert (await next_of(s, "media-state"))["mic"] is True
    for peer in (t, s):
        await peer.close()


async def test_lock_peer_lets_one_student_speak_and_survives_a_reconnect(
    room, teacher, student, second_student
):
    t = await joined(teacher, room.pk)
    s1 = await joined(student, room.pk)
    s2 = await joined(second_student, room.pk)
    await settle(t, s1, s2)
    await t.send({"type": "lock", "mic": True})
    await next_of(s1, "locks")
    await next_of(s2, "locks")
    await t.send({"type": "lock-peer", "peerId": s1.peer_id, "mic": False})
    got = await next_of(s2, "locks")
    assert got["users"] == [
        {"userId": student.pk, "mic": False, "camera": None, "screen": None, "chat": None}
    ]
    await s1.send({"type": "media-state", "mic": True, "camera": False})
    assert (await next_of(t, "media-state"))["mic"] is True
    await s2.send({"type": "media-state", "mic": True, "camera": False})
    assert (await next_of(s2, "error"))["code"] == "locked"
    # A new socket (new peer id) of the same student keeps the exception: it is the user's.
    await s1.close()
    again = await joined(student, room.pk)
    assert (await next_of(again, "room-state"))["locks"]["users"][0]["userId"] == student.pk
    await again.send({"type": "media-state", "mic": True, "camera": False})
    while (seen := await next_of(t, "media-state"))["peerId"] != again.peer_id:
        pass  # s2's refused state (broadcast with the mic off) came first
    assert seen["mic"] is True
    # Locking the room's mic again ends the exception.
    await t.send({"type": "lock", "mic": True})
    assert (await next_of(again, "locks"))["users"] == []
    await again.send({"type": "media-state", "mic": True, "camera": False})
    assert (await next_of(again, "error"))["code"] == "locked"
    for peer in (t, s2, again):
        await peer.close()


async def test_lock_peer_locks_one_student_while_the_room_is_open(
    room, teacher, student, second_student
):
    t = await joined(teacher, room.pk)
    s1 = await joined(student, room.pk)
    s2 = await joined(second_student, room.pk)
    await settle(t, s1, s2)
    await t.send({"type": "lock-peer", "peerId": s1.peer_id, "chat": True})
    assert (await next_of(s1, "locks"))["users"][0]["chat"] is True
    await s1.send({"type": "chat", "text": "hi"})
    assert (await next_of(s1, "error"))["code"] == "locked"
    await s2.send({"type": "chat", "text": "hello"})
    assert (await next_of(t, "chat"))["text"] == "hello"
    for peer in (t, s1, s2):
        await peer.close()


@pytest.mark.parametrize(
    "frame",
    [{"type": "lock", "mic": True}, {"type": "lock-peer", "peerId": "TEACHER", "mic": True}],
    ids=lambda f: f["type"],
)
async def test_a_student_cannot_lock(room, teacher, student, frame):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await settle(t, s)
    await s.send({k: (t.peer_id if v == "TEACHER" else v) for k, v in frame.items()})
    assert (await next_of(s, "error"))["code"] == "forbidden"
    assert (await locks.state.get(room.pk)).room.mic is False
    for peer in (t, s):
        await peer.close()


async def test_staff_are_never_locked(room, teacher, student, assistant):
    t = await joined(teacher, room.pk)
    a = await joined(assistant, room.pk)
    await settle(t, a)
    await t.send({"type": "lock-peer", "peerId": a.peer_id, "mic": True})
    error = await next_of(t, "error")
    assert (error["code"], error["detail"]) == ("forbidden", [a.peer_id])
    # An assistant locks the room; the assistant's own devices and chat stay free.
    await a.send({"type": "lock", "mic": True, "chat": True})
    assert sorted((await next_of(t, "locks"))["staff"]) == sorted([teacher.pk, assistant.pk])
    await a.send({"type": "chat", "text": "assistant here"})
    assert (await next_of(t, "chat"))["text"] == "assistant here"
    await a.send({"type": "media-state", "mic": True, "camera": True})
    assert (await next_of(t, "media-state"))["mic"] is True
    for peer in (t, a):
        await peer.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "lock"}, "bad-message"),
        ({"type": "lock", "mic": "maybe"}, "bad-message"),
        ({"type": "lock", "mic": True, "volume": 3}, "bad-message"),
        ({"type": "lock-peer", "mic": True}, "bad-message"),
        ({"type": "lock-peer", "peerId": "f" * 32, "mic": True}, "unknown-peer"),
    ],
)
async def test_bad_lock_frames_get_an_error(room, teacher, frame, code):
    t = await joined(teacher, room.pk)
    await settle(t)
    await t.send(frame)
    assert (await next_of(t, "error"))["code"] == code
    await t.close()


async def test_lock_before_join_is_refused(room, teacher):
    from classmeet.rooms.tests.conftest import open_socket

    peer, connected = await open_socket(teacher, room.pk)
    assert connected
    await peer.send({"type": "lock", "mic": True})
    assert (await next_of(peer, "error"))["code"] == "not-joined"
    await peer.close()


def test_locked_devices_follow_the_users_exception_then_the_room():
    from classmeet.rooms import protocol

    state = protocol.Locks(
        room=protocol.LockState(mic=True, camera=True),
        users=[protocol.UserLocks(userId=5, mic=False, chat=True)],
        staff=[1],
    )
    assert locks.locked_devices(state, 5) == {"camera", "chat"}
    assert locks.locked_devices(state, 6) == {"mic", "camera"}
    assert locks.locked_devices(state, 1) == set()
