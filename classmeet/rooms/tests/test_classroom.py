"""The classroom messages on the real ASGI app: chat, hands, media state, teacher controls and
attendance recorded from the socket."""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from classmeet.meetings.models import Attendance, ChatMessage, Meeting, RoomRemoval
from classmeet.meetings.services.attendance import attendance_open
from classmeet.meetings.tests.factories import ChatMessageFactory
from classmeet.rooms import classroom, presence
from classmeet.rooms.tests.conftest import Peer, joined, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

_T = TypeVar("_T")

XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
OTHER_PEER = "f" * 32


@pytest.fixture(autouse=True)
def _fresh_classroom_state(monkeypatch):
    monkeypatch.setattr(classroom, "state", classroom.ClassroomState())


@pytest.fixture
def room(live_meeting, enrollment):
    return live_meeting


async def next_frame(peer: Peer, timeout: float = 2) -> dict[str, Any]:
    """The next frame of any type (the shared helpers skip the classroom frames)."""
    frame: dict[str, Any] = json.loads(await peer.ws.receive_from(timeout=timeout))
    return frame


async def next_of(peer: Peer, type_: str, timeout: float = 2) -> dict[str, Any]:
    while True:
        frame = await next_frame(peer, timeout)
        if frame["type"] == type_:
            return frame


def db(fn: Callable[..., _T], *args: Any, **kwargs: Any) -> Awaitable[_T]:
    # channels ships no type hints: database_sync_to_async(fn) keeps fn's result type.
    return cast(Awaitable[_T], database_sync_to_async(fn)(*args, **kwargs))


async def attendance_rows(count: int, **filters: Any) -> list[Attendance]:
    """The attendance rows once `count` of them exist (join hooks run just after `welcome`)."""
    for _ in range(100):
        rows = await db(lambda: list(Attendance.objects.filter(**filters)))
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} attendance rows, have {len(rows)}")


async def test_join_sends_room_state_after_welcome(room, teacher):
    peer, connected = await open_socket(teacher, room.pk)
    assert connected
    await peer.send({"type": "join"})
    assert (await next_frame(peer))["type"] == "welcome"
    state = await next_frame(peer)
    assert state["type"] == "room-state"
    assert (state["chat"], state["hands"], state["media"]) == ([], [], [])
    assert state["locks"]["room"] == {"mic": False, "camera": False, "screen": False, "chat": False}
    assert state["staffUserIds"] == [teacher.pk]
    assert (state["poll"], state["pollResults"]) == (None, None)
    await peer.close()


async def test_chat_reaches_everyone_as_plain_data_and_is_stored(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await s.send({"type": "chat", "text": f"  {XSS}  "})
    for peer in (t, s):
        line = await next_of(peer, "chat")
        assert line["text"] == XSS
        assert line["fromUserId"] == student.pk
        assert line["fromName"] == "Sam Study"
    stored = await db(ChatMessage.objects.get)
    assert (stored.text, stored.author_id, stored.meeting_id) == (XSS, student.pk, room.pk)
    assert line["id"] == stored.pk
    await t.close()
    await s.close()


async def test_rejoining_shows_the_chat_so_far_without_deleted_lines(room, teacher, student):
    await db(ChatMessageFactory.create, meeting=room, author=teacher, text="welcome all")
    gone = await db(ChatMessageFactory.create, meeting=room, author=student, text="oops")
    await db(ChatMessage.objects.filter(pk=gone.pk).update, deleted_at=room.starts_at)
    s = await joined(student, room.pk)
    state = await next_of(s, "room-state")
    assert [(m["text"], m["fromName"]) for m in state["chat"]] == [("welcome all", "Tina Teach")]
    await s.close()


async def test_chat_of_another_meeting_is_not_shown(room, course, teacher, student):
    from classmeet.meetings.tests.factories import MeetingFactory

    other = await db(MeetingFactory.create, course=course)
    await db(ChatMessageFactory.create, meeting=other, author=teacher, text="elsewhere")
    s = await joined(student, room.pk)
    assert (await next_of(s, "room-state"))["chat"] == []
    await s.close()


async def test_empty_chat_gets_an_error_and_nothing_is_sent(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await next_of(t, "room-state")
    await next_of(t, "user-joined")
    await s.send({"type": "chat", "text": "   "})
    error = await next_of(s, "error")
    assert error["code"] == "bad-message"
    assert "empty" in error["message"]
    assert await t.nothing()
    assert await db(ChatMessage.objects.count) == 0
    await t.close()
    await s.close()


async def test_chat_is_rate_limited(room, student, settings):
    settings.CLASSMEET_CHAT_RATE_COUNT = 2
    settings.CLASSMEET_CHAT_RATE_SECONDS = 60
    s = await joined(student, room.pk)
    for i in range(2):
        await s.send({"type": "chat", "text": f"m{i}"})
        await next_of(s, "chat")
    await s.send({"type": "chat", "text": "too fast"})
    assert (await next_of(s, "error"))["code"] == "rate-limited"
    assert await db(ChatMessage.objects.count) == 2
    await s.close()


async def test_chat_before_join_is_refused(room, student):
    s, connected = await open_socket(student, room.pk)
    assert connected
    await s.send({"type": "chat", "text": "hi"})
    assert (await next_frame(s))["code"] == "not-joined"
    await s.close()


async def test_teacher_deletes_a_chat_line_for_everyone(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await s.send({"type": "chat", "text": "rude"})
    line = await next_of(t, "chat")
    await t.send({"type": "chat-delete", "id": line["id"]})
    for peer in (t, s):
        assert await next_of(peer, "chat-deleted") == {"type": "chat-deleted", "id": line["id"]}
    stored = await db(ChatMessage.objects.get)
    assert stored.deleted_by_id == teacher.pk
    await t.close()
    await s.close()


async def test_deleting_a_message_of_another_meeting_is_not_found(room, teacher):
    stray = await db(ChatMessageFactory.create, text="elsewhere")
    t = await joined(teacher, room.pk)
    await t.send({"type": "chat-delete", "id": stray.pk})
    assert (await next_of(t, "error"))["code"] == "not-found"
    await db(stray.refresh_from_db)
    assert stray.deleted_at is None
    await t.close()


@pytest.mark.parametrize(
    "control",
    [
        {"type": "chat-delete", "id": 1},
        {"type": "lower-hand", "peerId": "TEACHER"},
        {"type": "mute-all"},
        {"type": "mute-peer", "peerId": "TEACHER"},
        {"type": "remove-peer", "peerId": "TEACHER"},
        {"type": "end-meeting"},
    ],
    ids=lambda c: c["type"],
)
async def test_a_student_sending_a_teacher_control_gets_an_error(room, teacher, student, control):
    t = await joined(teacher, room.pk)
    await db(ChatMessageFactory.create, meeting=room, author=teacher, text="keep me")
    s = await joined(student, room.pk)
    await next_of(s, "room-state")
    await next_of(t, "user-joined")
    frame = {k: (t.peer_id if v == "TEACHER" else v) for k, v in control.items()}
    if frame["type"] == "chat-delete":
        frame["id"] = (await db(ChatMessage.objects.get)).pk
    await s.send(frame)
    error = await next_of(s, "error")
    assert error["code"] == "forbidden"
    assert await t.nothing()  # nothing reached the teacher: no mute, no lowered hand
    meeting = await db(Meeting.objects.get, pk=room.pk)
    assert meeting.status == Meeting.Status.SCHEDULED
    assert not await db(RoomRemoval.objects.exists)
    assert not await db(ChatMessage.objects.filter(deleted_at__isnull=False).exists)
    await t.close()
    await s.close()


async def test_raised_hands_are_seen_in_order_and_the_teacher_lowers_one(
    room, teacher, student, second_student
):
    t = await joined(teacher, room.pk)
    s1 = await joined(student, room.pk)
    s2 = await joined(second_student, room.pk)
    await s1.send({"type": "raise-hand"})
    first = await next_of(t, "hand-raised")
    await s2.send({"type": "raise-hand"})
    second = await next_of(t, "hand-raised")
    assert (first["peerId"], second["peerId"]) == (s1.peer_id, s2.peer_id)
    assert first["raisedAt"] <= second["raisedAt"]
    # Raising again keeps the place in the queue.
    await s1.send({"type": "raise-hand"})
    assert (await next_of(t, "hand-raised"))["raisedAt"] == first["raisedAt"]

    late = await joined(teacher, room.pk)  # the teacher's second tab
    state = await next_of(late, "room-state")
    assert [h["peerId"] for h in state["hands"]] == [s1.peer_id, s2.peer_id]

    await t.send({"type": "lower-hand", "peerId": s1.peer_id})
    lowered = await next_of(s1, "hand-lowered")
    assert lowered == {"type": "hand-lowered", "peerId": s1.peer_id, "by": t.peer_id}
    assert await next_of(t, "hand-lowered") == lowered
    await s2.send({"type": "lower-hand"})
    assert (await next_of(t, "hand-lowered"))["by"] == s2.peer_id
    assert (await classroom.state.snapshot(room.pk))[0] == {}
    for peer in (t, s1, s2, late):
        await peer.close()


async def test_the_teacher_cannot_raise_a_hand(room, teacher, student):
    """The teacher runs the queue of hands: a crafted `raise-hand` is refused, nobody sees it."""
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await next_of(s, "room-state")
    await next_of(t, "user-joined")
    await t.send({"type": "raise-hand"})
    error = await next_of(t, "error")
    assert error["code"] == "forbidden"
    assert await s.nothing()
    assert (await classroom.state.snapshot(room.pk))[0] == {}
    # The student's own hand still goes up.
    await s.send({"type": "raise-hand"})
    assert (await next_of(t, "hand-raised"))["peerId"] == s.peer_id
    await t.close()
    await s.close()


async def test_media_state_goes_to_the_others_and_to_late_joiners(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await next_of(s, "room-state")
    await s.send({"type": "media-state", "mic": False, "camera": True, "screen": True})
    got = await next_of(t, "media-state")
    assert got == {
        "type": "media-state",
        "peerId": s.peer_id,
        "mic": False,
        "camera": True,
        "screen": True,
    }
    assert await s.nothing()
    late = await joined(teacher, room.pk)
    state = await next_of(late, "room-state")
    assert state["media"] == [{**got}]
    for peer in (t, s, late):
        await peer.close()


async def test_mute_all_asks_everyone_but_the_teacher(room, teacher, student, second_student):
    t = await joined(teacher, room.pk)
    s1 = await joined(student, room.pk)
    s2 = await joined(second_student, room.pk)
    await t.send({"type": "mute-all"})
    for peer in (s1, s2):
        request = await next_of(peer, "mute-request")
        assert request == {"type": "mute-request", "all": True, "byName": "Tina Teach"}
    await next_of(t, "user-joined")
    await next_of(t, "user-joined")
    assert await t.nothing()
    for peer in (t, s1, s2):
        await peer.close()


async def test_mute_peer_reaches_that_participant_only(room, teacher, student, second_student):
    t = await joined(teacher, room.pk)
    s1 = await joined(student, room.pk)
    s2 = await joined(second_student, room.pk)
    await next_of(s1, "user-joined")
    await t.send({"type": "mute-peer", "peerId": s2.peer_id})
    assert (await next_of(s2, "mute-request"))["all"] is False
    assert await s1.nothing()
    for peer in (t, s1, s2):
        await peer.close()


async def test_a_control_aimed_at_a_participant_who_just_left_gets_an_error(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    gone = s.peer_id
    await s.send({"type": "leave"})
    await next_of(t, "user-left")
    for frame in (
        {"type": "mute-peer", "peerId": gone},
        {"type": "remove-peer", "peerId": gone},
        {"type": "lower-hand", "peerId": gone},
        {"type": "offer", "to": gone, "sdp": "v=0"},
    ):
        await t.send(frame)
        error = await next_of(t, "error")
        assert error["code"] == "unknown-peer"
        assert error["detail"] == [gone]
    assert not await db(RoomRemoval.objects.exists)
    await t.close()


async def test_removing_a_student_closes_all_their_tabs_and_refuses_rejoin(
    room, teacher, student, second_student
):
    t = await joined(teacher, room.pk)
    tab1 = await joined(student, room.pk)
    tab2 = await joined(student, room.pk)
    bystander = await joined(second_student, room.pk)
    await t.send({"type": "remove-peer", "peerId": tab1.peer_id})
    for tab in (tab1, tab2):
        removed = await next_of(tab, "removed")
        assert "removed you" in removed["reason"]
        assert await tab.closed_with() == 4410
    left = {(await next_of(t, "user-left"))["peerId"] for _ in range(2)}
    assert left == {tab1.peer_id, tab2.peer_id}
    assert await db(RoomRemoval.objects.filter(meeting=room, user=student, by=teacher).exists)
    closed = await db(
        lambda: set(Attendance.objects.filter(user=student).values_list("closed_by", flat=True))
    )
    assert closed == {"removed"}
    # Their rejoin is refused with the same code, before any join.
    again, connected = await open_socket(student, room.pk)
    assert connected
    assert await again.closed_with() == 4410
    # The others stay.
    await bystander.send({"type": "chat", "text": "still here"})
    assert (await next_of(t, "chat"))["text"] == "still here"
    await t.close()
    await bystander.close()


async def test_a_socket_opened_before_the_removal_cannot_join_after_it(room, teacher, student):
    waiting, connected = await open_socket(student, room.pk)
    assert connected
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await t.send({"type": "remove-peer", "peerId": s.peer_id})
    await next_of(s, "removed")
    assert await s.closed_with() == 4410
    await waiting.send({"type": "join"})
    assert await waiting.closed_with() == 4410
    await t.close()


async def test_the_teacher_cannot_remove_themselves(room, teacher):
    t = await joined(teacher, room.pk)
    other_tab = await joined(teacher, room.pk)
    await t.send({"type": "remove-peer", "peerId": other_tab.peer_id})
    assert (await next_of(t, "error"))["code"] == "forbidden"
    assert not await db(RoomRemoval.objects.exists)
    await t.close()
    await other_tab.close()


async def test_ending_the_meeting_closes_every_socket_and_refuses_late_joiners(
    room, teacher, student
):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await t.send({"type": "end-meeting"})
    for peer in (t, s):
        assert (await next_of(peer, "meeting-ended"))["reason"]
        assert await peer.closed_with() == 4411
    meeting = await db(Meeting.objects.get, pk=room.pk)
    assert meeting.status == Meeting.Status.ENDED
    assert meeting.ended_at is not None
    closed = await db(lambda: set(Attendance.objects.values_list("closed_by", flat=True)))
    assert closed == {"ended"}
    late, connected = await open_socket(student, room.pk)
    assert connected
    assert await late.closed_with() == 4409


# Attendance recorded from the socket ----------------------------------------------------------


async def test_join_and_leave_are_recorded_per_peer(room, student):
    s = await joined(student, room.pk)
    [row] = await attendance_rows(1)
    assert (row.user_id, row.peer_id, row.left_at) == (student.pk, s.peer_id, None)
    await s.send({"type": "leave"})
    await s.closed_with()
    row = await db(Attendance.objects.get)
    assert row.closed_by == "leave"
    assert row.left_at is not None
    assert row.left_at >= row.joined_at


async def test_two_tabs_are_two_rows(room, student):
    a = await joined(student, room.pk)
    b = await joined(student, room.pk)
    rows = await attendance_rows(2)
    assert {row.peer_id for row in rows} == {a.peer_id, b.peer_id}
    await a.close()
    await b.close()


async def test_a_dropped_socket_that_never_comes_back_is_closed_as_a_crash(room, student, settings):
    settings.CLASSMEET_ROOM_RESUME_GRACE_SECONDS = 0.2
    s = await joined(student, room.pk)
    await attendance_rows(1)
    dropped_at = time.time()
    await s.close()  # no `leave`: the network went away
    for _ in range(50):
        row = await db(Attendance.objects.get)
        if row.left_at is not None:
            break
        await asyncio.sleep(0.05)
    assert row.closed_by == "crash"
    assert row.left_at is not None
    assert abs(row.left_at.timestamp() - dropped_at) < 1


async def test_a_reconnect_within_the_grace_keeps_one_open_row(room, student, settings):
    settings.CLASSMEET_ROOM_RESUME_GRACE_SECONDS = 5
    s = await joined(student, room.pk)
    await s.close()
    again = await joined(student, room.pk, resume=s.peer_id)
    assert again.welcome["resumed"] is True
    [row] = await attendance_rows(1)
    assert (row.peer_id, row.left_at) == (s.peer_id, None)
    await again.send({"type": "leave"})
    await again.closed_with()


async def test_a_peer_of_a_crashed_process_is_closed_by_heartbeat_expiry(
    room, student, teacher, settings
):
    """A process died: its peer stopped heartbeating; the next sweep closes its row as a crash."""
    settings.CLASSMEET_ROOM_PRESENCE_TTL_SECONDS = 30
    ghost = presence.Peer(
        peer_id="a" * 32, user_id=student.pk, name="Sam", role="student", channel="gone!x"
    )
    last_seen = time.time() - 60
    await presence.get_store().put(room.pk, ghost, now=last_seen)
    await db(
        attendance_open,
        meeting_id=room.pk,
        user_id=student.pk,
        peer_id=ghost.peer_id,
        at=timezone.now() - timedelta(minutes=5),
    )
    t = await joined(teacher, room.pk)  # its join sweeps the room
    assert ghost.peer_id not in [p["peerId"] for p in t.welcome["participants"]]
    row = await db(Attendance.objects.get, peer_id=ghost.peer_id)
    assert row.closed_by == "crash"
    # Closed about when it was last seen (one TTL before the sweep), not at the sweep.
    assert row.left_at is not None
    assert row.left_at.timestamp() < time.time() - 25
    await t.close()
