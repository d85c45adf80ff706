"""The waiting room on the real ASGI app: knocking, admitting, denying, and that nothing of the
room reaches a waiting socket."""

import json
from typing import Any

import pytest

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.services import assistant_add
from classmeet.meetings.models import Meeting, RoomAdmission
from classmeet.meetings.services.attendance import attendance_open
from classmeet.rooms import classroom, lobby, presence
from classmeet.rooms.services.controls import meeting_end
from classmeet.rooms.tests.conftest import Peer, joined, open_socket
from classmeet.rooms.tests.test_classroom import db, next_frame, next_of

pytestmark = pytest.mark.django_db(transaction=True)

SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch):
    monkeypatch.setattr(classroom, "state", classroom.ClassroomState())
    monkeypatch.setattr(lobby, "lobby", lobby.LobbyState())


@pytest.fixture
def room(live_meeting, enrollment):
    Meeting.objects.filter(pk=live_meeting.pk).update(waiting_room=True)
    return live_meeting


async def knock(user: Any, meeting_id: int) -> tuple[Peer, dict[str, Any]]:
    """A socket of `user` that sent `join` and got `waiting`."""
    peer, connected = await open_socket(user, meeting_id)
    assert connected
    await peer.send({"type": "join"})
    frame = await next_frame(peer)
    assert frame["type"] == "waiting", frame
    return peer, frame


async def waiting_ids(peer: Peer) -> list[int]:
    frame = await next_of(peer, "waiting-list")
    return [row["userId"] for row in frame["waiting"]]


async def until_nobody_waits(peer: Peer) -> None:
    while await waiting_ids(peer):
        pass


async def test_a_student_waits_and_the_staff_hear_the_knock(room, teacher, student):
    t = await joined(teacher, room.pk)
    await next_of(t, "room-state")
    s, waiting = await knock(student, room.pk)
    assert set(waiting) == {"type", "since", "heartbeatSeconds"}
    assert await next_of(t, "knock") == {"type": "knock", "userId": student.pk, "name": "Sam Study"}
    listed = await next_of(t, "waiting-list")
    assert [(r["userId"], r["name"]) for r in listed["waiting"]] == [(student.pk, "Sam Study")]
    assert listed["waiting"][0]["since"] == waiting["since"]
    # Not in the room: not in presence, nobody was told it joined, no room state for it.
    peers, _expired = await presence.sweep(room.pk)
    assert [p.user_id for p in peers] == [teacher.pk]
    assert await t.nothing()
    assert await s.ws.receive_nothing(timeout=0.2)
    await s.close()
    assert await waiting_ids(t) == []  # the socket went: the staff's list is updated
    await t.close()


async def test_nothing_of_the_room_reaches_a_waiting_socket(room, teacher, student, second_student):
    t = await joined(teacher, room.pk)
    s, _waiting = await knock(student, room.pk)
    await next_of(t, "waiting-list")
    await db(RoomAdmission.objects.create, meeting=room, user=second_student)
    other = await joined(second_student, room.pk)
    await t.send({"type": "chat", "text": "hello class"})
    await t.send({"type": "media-state", "mic": True, "camera": False})
    await t.send({"type": "mute-all"})
    await t.send({"type": "offer", "to": other.peer_id, "sdp": SDP})
    await other.send({"type": "raise-hand"})
    await other.send({"type": "leave"})
    await next_of(t, "user-left")
    assert await s.ws.receive_nothing(timeout=0.3)  # no chat, media, mute, join, leave, hand
    await s.close()
    await t.close()


async def test_a_url_join_knocks_like_a_join_frame(room, teacher, student):
    """early.js's socket (`?join=1`) waits in the waiting room as a `join` frame would."""
    t = await joined(teacher, room.pk)
    await next_of(t, "room-state")
    s, connected = await open_socket(student, room.pk, query="join=1")
    assert connected
    assert (await next_frame(s))["type"] == "waiting"
    assert (await next_of(t, "knock"))["userId"] == student.pk
    for peer in (s, t):
        await peer.close()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "join"},
        {"type": "chat", "text": "let me in"},
        {"type": "raise-hand"},
        {"type": "media-state", "mic": True, "camera": True},
        {"type": "offer", "to": "f" * 32, "sdp": SDP},
        {"type": "admit", "userId": 1},
        {"type": "admit-all"},
        {"type": "deny", "userId": 1},
        {"type": "end-meeting"},
        {"type": "sfu-publish", "sdp": SDP},
    ],
    ids=lambda frame: frame["type"],
)
async def test_a_waiting_socket_gets_an_error_for_any_frame_but_ping_and_leave(
    room, student, frame
):
    s, _waiting = await knock(student, room.pk)
    await s.send(frame)
    error = await next_frame(s)
    assert (error["type"], error["code"]) == ("error", "waiting")
    await s.send({"type": "ping"})
    assert await next_frame(s) == {"type": "pong"}
    assert (await db(Meeting.objects.get, pk=room.pk)).status == Meeting.Status.SCHEDULED
    await s.send({"type": "leave"})
    assert await s.closed_with() == 1000


async def test_admitted_sockets_join_without_reconnecting(room, teacher, student):
    t = await joined(teacher, room.pk)
    s, _waiting = await knock(student, room.pk)
    tab, _waiting = await knock(student, room.pk)  # a second tab of the same student
    await next_of(t, "knock")
    await t.send({"type": "admit", "userId": student.pk})
    await until_nobody_waits(t)
    for peer in (s, tab):
        welcome = await next_frame(peer)
        assert welcome["type"] == "welcome"
        assert t.peer_id in [p["peerId"] for p in welcome["participants"]]
        assert (await next_of(peer, "room-state"))["chat"] == []
    joined_ids = {(await next_of(t, "user-joined"))["userId"] for _ in range(2)}
    assert joined_ids == {student.pk}
    row = await db(RoomAdmission.objects.get)
    assert (row.meeting_id, row.user_id, row.by_id) == (room.pk, student.pk, teacher.pk)
    # Now in the room: chat reaches them.
    await t.send({"type": "chat", "text": "welcome"})
    assert (await next_of(s, "chat"))["text"] == "welcome"
    for peer in (s, tab, t):
        await peer.close()


async def test_admitted_once_the_student_rejoins_without_waiting(room, teacher, student):
    t = await joined(teacher, room.pk)
    s, _waiting = await knock(student, room.pk)
    await t.send({"type": "admit", "userId": student.pk})
    await next_of(s, "welcome")
    await s.send({"type": "leave"})
    assert await s.closed_with() == 1000
    again = await joined(student, room.pk)  # welcome at once
    assert again.welcome["type"] == "welcome"
    await again.close()
    await t.close()


async def test_a_student_in_the_room_before_the_setting_was_turned_on_does_not_wait(room, student):
    await db(attendance_open, meeting_id=room.pk, user_id=student.pk, peer_id="a" * 32)
    s = await joined(student, room.pk)
    assert s.welcome["type"] == "welcome"
    await s.close()


async def test_staff_never_wait(room, teacher, course):
    assistant = await db(StudentFactory.create, username="assist")
    await db(assistant_add, course=course, user=assistant, added_by=teacher)
    for user in (teacher, assistant):
        peer = await joined(user, room.pk)
        assert peer.welcome["type"] == "welcome"
        await peer.close()


async def test_without_the_setting_students_join_at_once(live_meeting, enrollment, student):
    s = await joined(student, live_meeting.pk)
    assert s.welcome["type"] == "welcome"
    await s.close()


async def test_deny_closes_the_waiting_socket_and_the_student_may_knock_again(
    room, teacher, student
):
    t = await joined(teacher, room.pk)
    s, _waiting = await knock(student, room.pk)
    await next_of(t, "knock")
    await t.send({"type": "deny", "userId": student.pk, "reason": "Wrong group <b>today</b>"})
    assert await next_frame(s) == {"type": "denied", "reason": "Wrong group <b>today</b>"}
    assert await s.closed_with() == lobby.CLOSE_DENIED
    await until_nobody_waits(t)
    assert not await db(RoomAdmission.objects.exists)
    again, _waiting = await knock(student, room.pk)  # not banned
    assert (await next_of(t, "knock"))["userId"] == student.pk
    await t.send({"type": "deny", "userId": student.pk})
    assert (await next_frame(again))["reason"] == "The teacher did not let you into this class."
    assert await again.closed_with() == 4412
    await t.close()


async def test_admit_all_lets_in_everybody_waiting(room, teacher, student, second_student):
    t = await joined(teacher, room.pk)
    s1, _w = await knock(student, room.pk)
    s2, _w = await knock(second_student, room.pk)
    listed = await next_of(t, "waiting-list")
    while len(listed["waiting"]) < 2:
        listed = await next_of(t, "waiting-list")
    assert [r["userId"] for r in listed["waiting"]] == [student.pk, second_student.pk]
    await t.send({"type": "admit-all"})
    for peer in (s1, s2):
        assert (await next_frame(peer))["type"] == "welcome"
    await until_nobody_waits(t)
    rows = await db(lambda: sorted(RoomAdmission.objects.values_list("user_id", flat=True)))
    assert rows == sorted([student.pk, second_student.pk])
    for peer in (s1, s2, t):
        await peer.close()


async def test_admit_all_with_nobody_waiting_does_nothing(room, teacher):
    t = await joined(teacher, room.pk)
    await next_of(t, "room-state")
    await t.send({"type": "admit-all"})
    assert await t.ws.receive_nothing(timeout=0.2)
    await t.close()


async def test_admitting_or_denying_somebody_not_waiting_is_an_error(room, teacher, student):
    t = await joined(teacher, room.pk)
    await next_of(t, "room-state")
    for frame in ({"type": "admit", "userId": student.pk}, {"type": "deny", "userId": 999}):
        await t.send(frame)
        error = await next_of(t, "error")
        assert error["code"] == "not-waiting"
    assert not await db(RoomAdmission.objects.exists)
    await t.close()


@pytest.mark.parametrize(
    "frame",
    [{"type": "admit", "userId": 1}, {"type": "admit-all"}, {"type": "deny", "userId": 1}],
    ids=lambda frame: frame["type"],
)
async def test_a_student_in_the_room_cannot_admit_or_deny(
    room, teacher, student, second_student, frame
):
    await db(RoomAdmission.objects.create, meeting=room, user=student)
    t = await joined(teacher, room.pk)
    waiting, _w = await knock(second_student, room.pk)
    s = await joined(student, room.pk)
    await s.send({**frame, "userId": second_student.pk} if "userId" in frame else frame)
    assert (await next_of(s, "error"))["code"] == "forbidden"
    assert await waiting.ws.receive_nothing(timeout=0.2)  # still waiting
    for peer in (waiting, s, t):
        await peer.close()


@pytest.mark.parametrize(
    "frame",
    [{"type": "admit", "userId": 0}, {"type": "deny", "userId": 1, "reason": "x" * 301}],
)
async def test_bad_admit_and_deny_frames_are_refused(room, teacher, frame):
    t = await joined(teacher, room.pk)
    await t.send(frame)
    assert (await next_of(t, "error"))["code"] == "bad-message"
    await t.close()


async def test_staff_joining_later_get_the_waiting_list(room, teacher, student, course):
    s, waiting = await knock(student, room.pk)
    t, _connected = await open_socket(teacher, room.pk)
    await t.send({"type": "join"})
    types = []
    while "room-state" not in types:
        frame = await next_frame(t)
        types.append(frame["type"])
        if frame["type"] == "waiting-list":
            assert frame["waiting"] == [
                {"userId": student.pk, "name": "Sam Study", "since": waiting["since"]}
            ]
            assert frame["version"] >= 1
    assert types == ["welcome", "waiting-list", "room-state"]
    await s.close()
    await t.close()


async def test_ending_the_meeting_closes_waiting_sockets(room, teacher, student):
    s, _waiting = await knock(student, room.pk)
    await db(lambda: meeting_end(meeting=Meeting.objects.get(pk=room.pk), by_id=teacher.pk))
    assert (await next_frame(s))["type"] == "meeting-ended"
    assert await s.closed_with() == 4411


async def test_the_waiting_frame_is_valid_json_of_its_fields(room, student):
    s, waiting = await knock(student, room.pk)
    assert json.loads(json.dumps(waiting))["since"].endswith("+00:00")
    await s.close()
