"""The signaling socket on the real ASGI app (origin check, session auth, routing)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.models import Course
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.rooms import hooks, presence
from classmeet.rooms.consumers import CLOSE_RATE_LIMITED, CLOSE_TRY_AGAIN
from classmeet.rooms.tests.conftest import Peer, dead_redis_url, joined, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

OFFER_SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


async def make_student(course: Course, **kwargs: Any) -> User:
    def create() -> User:
        student = StudentFactory.create(**kwargs)
        EnrollmentFactory.create(course=course, student=student)
        return student

    student: User = await database_sync_to_async(create)()
    return student


# Refusals ---------------------------------------------------------------------------------------


async def test_anonymous_is_closed_with_4401(live_meeting):
    peer, connected = await open_socket(None, live_meeting.pk)
    assert connected
    assert await peer.closed_with() == 4401


async def test_outsider_is_closed_with_4404_like_a_missing_meeting(outsider, live_meeting):
    """A hidden meeting and a missing one close alike: the code tells no id exists."""
    hidden, _ = await open_socket(outsider, live_meeting.pk)
    missing, _ = await open_socket(outsider, live_meeting.pk + 1000)
    assert await hidden.closed_with() == await missing.closed_with() == 4404


@pytest.mark.parametrize(
    "starts_in", [timedelta(days=2), timedelta(days=-2)], ids=["not-open-yet", "over"]
)
async def test_outsider_gets_4404_whatever_the_hidden_meetings_window(outsider, course, starts_in):
    """Not 4409: "not open" would tell the outsider the meeting exists."""
    meeting = await database_sync_to_async(MeetingFactory.create)(
        course=course, starts_at=timezone.now() + starts_in
    )
    peer, _ = await open_socket(outsider, meeting.pk)
    assert await peer.closed_with() == 4404


async def test_unknown_meeting_is_closed_with_4404(teacher, live_meeting):
    peer, _ = await open_socket(teacher, live_meeting.pk + 1000)
    assert await peer.closed_with() == 4404


async def test_cancelled_meeting_is_closed_with_4404(teacher, live_meeting):
    live_meeting.status = Meeting.Status.CANCELLED
    await database_sync_to_async(live_meeting.save)()
    peer, _ = await open_socket(teacher, live_meeting.pk)
    assert await peer.closed_with() == 4404


@pytest.mark.parametrize(
    ("starts_in", "status"),
    [
        (timedelta(hours=2), Meeting.Status.SCHEDULED),
        (-timedelta(hours=3), Meeting.Status.SCHEDULED),
    ],
)
async def test_meeting_outside_join_window_is_closed_with_4409(
    student, enrollment, course, starts_in, status
):
    meeting = await database_sync_to_async(MeetingFactory)(
        course=course, starts_at=timezone.now() + starts_in, status=status
    )
    peer, _ = await open_socket(student, meeting.pk)
    assert await peer.closed_with() == 4409


async def test_ended_meeting_is_closed_with_4409(teacher, live_meeting):
    live_meeting.status = Meeting.Status.ENDED
    await database_sync_to_async(live_meeting.save)()
    peer, _ = await open_socket(teacher, live_meeting.pk)
    assert await peer.closed_with() == 4409


@pytest.mark.parametrize(
    "headers", [[], [(b"origin", b"http://evil.example")]], ids=["no-origin", "foreign"]
)
async def test_foreign_or_missing_origin_is_refused(teacher, live_meeting, headers):
    _peer, connected = await open_socket(teacher, live_meeting.pk, headers=headers)
    assert not connected


# Joining ----------------------------------------------------------------------------------------


async def test_without_a_channel_layer_the_socket_is_told_to_come_back_later(
    settings, teacher, live_meeting
):
    """Redis unreachable: the socket is accepted and closed with 1013 (try again later), which the
    browser's reconnect backoff handles, instead of a failed handshake."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "classmeet.rooms.channel_layers.RoomChannelLayer",
            "CONFIG": {"hosts": [dead_redis_url()], "prefix": "test-dead-layer"},
        }
    }
    peer, connected = await open_socket(teacher, live_meeting.pk)
    assert connected
    assert await peer.closed_with() == CLOSE_TRY_AGAIN


async def test_welcome_goes_to_the_joiner_only_and_user_joined_to_the_others(
    teacher, student, enrollment, live_meeting
):
    first = await joined(teacher, live_meeting.pk)
    assert first.welcome["participants"] == []
    assert first.welcome["iceServers"] == []
    assert first.welcome["iceTransportPolicy"] == "all"
    assert len(first.peer_id) == 32

    # The original app's join carried userId/userName: accepted, and ignored.
    second = await joined(student, live_meeting.pk, userId=999, userName="Mallory")
    assert second.welcome["participants"] == [
        {"peerId": first.peer_id, "userId": teacher.pk, "name": "Tina Teach", "role": "teacher"}
    ]
    news = await first.recv()
    assert news == {
        "type": "user-joined",
        "peerId": second.peer_id,
        "userId": student.pk,
        "name": "Sam Study",
        "role": "student",
        "resumed": False,
    }
    assert await second.nothing()  # no user-joined about itself
    assert await first.nothing()  # and no welcome meant for the second
    await first.close()
    await second.close()


async def test_one_user_in_two_tabs_is_two_peers(teacher, live_meeting):
    tab1 = await joined(teacher, live_meeting.pk)
    tab2 = await joined(teacher, live_meeting.pk)
    assert tab1.peer_id != tab2.peer_id
    assert [p["peerId"] for p in tab2.welcome["participants"]] == [tab1.peer_id]
    await tab1.close()
    await tab2.close()


async def test_stun_urls_from_settings_reach_the_welcome(settings, teacher, live_meeting):
    settings.CLASSMEET_STUN_URLS = ["stun:stun.example.test:3478"]
    peer = await joined(teacher, live_meeting.pk)
    assert peer.welcome["iceServers"] == [{"urls": ["stun:stun.example.test:3478"]}]
    await peer.close()


# Relaying ---------------------------------------------------------------------------------------


async def test_offer_reaches_its_target_only_with_server_set_sender(
    teacher, student, enrollment, course, live_meeting
):
    third_user = await make_student(course, first_name="Tom", last_name="Third")
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    c = await joined(third_user, live_meeting.pk)
    await a.recv_type("user-joined")
    await a.recv_type("user-joined")
    await b.recv_type("user-joined")

    await a.send({"type": "offer", "to": b.peer_id, "sdp": OFFER_SDP})
    assert await b.recv() == {
        "type": "offer",
        "from": a.peer_id,
        "fromUserId": teacher.pk,
        "fromName": "Tina Teach",
        "sdp": OFFER_SDP,
    }
    assert await c.nothing()
    assert await a.nothing()

    await b.send({"type": "answer", "to": a.peer_id, "sdp": OFFER_SDP})
    answer = await a.recv()
    assert (answer["type"], answer["from"], answer["fromUserId"]) == (
        "answer",
        b.peer_id,
        student.pk,
    )
    candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}
    await c.send({"type": "ice-candidate", "to": a.peer_id, "candidate": candidate})
    got = await a.recv()
    assert got["type"] == "ice-candidate"
    assert got["from"] == c.peer_id
    assert got["candidate"] == {**candidate, "sdpMLineIndex": None, "usernameFragment": None}
    assert await b.nothing()
    for peer in (a, b, c):
        await peer.close()


async def test_sender_fields_cannot_be_spoofed(teacher, student, enrollment, live_meeting):
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    await a.recv_type("user-joined")
    for spoof in (
        {"from": b.peer_id},
        {"fromUserId": student.pk},
        {"fromName": "Sam Study"},
    ):
        await a.send({"type": "offer", "to": b.peer_id, "sdp": OFFER_SDP, **spoof})
        error = await a.recv()
        assert error["type"] == "error"
        assert error["code"] == "bad-message"
        assert await b.nothing()
    await a.close()
    await b.close()


# Bad input --------------------------------------------------------------------------------------


async def _assert_error(peer: Peer, frame: dict[str, Any] | str, code: str) -> None:
    await peer.send(frame)
    reply = await peer.recv()
    assert reply["type"] == "error", reply
    assert reply["code"] == code, reply
    assert reply["message"]


async def test_bad_input_gets_an_error_frame_and_the_socket_stays_open(
    teacher, student, enrollment, live_meeting
):
    peer, _ = await open_socket(teacher, live_meeting.pk)
    await _assert_error(peer, {"type": "offer", "to": "a" * 32, "sdp": "x"}, "not-joined")
    await peer.join()
    other = await joined(student, live_meeting.pk)
    await peer.recv_type("user-joined")

    await _assert_error(peer, "{not json", "bad-json")
    await _assert_error(peer, " ", "bad-json")
    await _assert_error(peer, {"type": "teleport"}, "unknown-type")
    await _assert_error(peer, {"type": "offer", "to": other.peer_id}, "bad-message")
    await _assert_error(
        peer, {"type": "offer", "to": other.peer_id, "sdp": "x", "extra": 1}, "bad-message"
    )
    await _assert_error(peer, {"no": "type"}, "bad-message")
    await _assert_error(peer, "[1, 2]", "bad-message")
    await _assert_error(peer, '"join"', "bad-message")
    await _assert_error(peer, {"type": "offer", "to": "not-a-peer", "sdp": "x"}, "bad-message")
    await _assert_error(peer, {"type": "offer", "to": "f" * 32, "sdp": "x"}, "unknown-peer")
    await _assert_error(peer, {"type": "offer", "to": peer.peer_id, "sdp": "x"}, "unknown-peer")
    await _assert_error(peer, {"type": "join"}, "already-joined")
    await _assert_error(
        peer,
        {"type": "offer", "to": other.peer_id, "sdp": "x" * (64 * 1024)},
        "too-large",
    )
    await peer.ws.send_to(bytes_data=b"\x00\x01")
    assert (await peer.recv())["code"] == "bad-json"
    assert await other.nothing()

    # Still open and still relaying.
    await peer.send({"type": "ping"})
    assert await peer.recv() == {"type": "pong"}
    await peer.send({"type": "offer", "to": other.peer_id, "sdp": OFFER_SDP})
    assert (await other.recv())["from"] == peer.peer_id
    await peer.close()
    await other.close()


async def test_flooding_client_is_closed_with_4429(settings, teacher, live_meeting):
    settings.CLASSMEET_WS_RATE_PER_SECOND = 1
    settings.CLASSMEET_WS_RATE_BURST = 5
    peer = await joined(teacher, live_meeting.pk)  # the join took one token
    for _ in range(4):
        await peer.send({"type": "ping"})
        assert await peer.recv() == {"type": "pong"}
    await peer.send({"type": "ping"})
    assert await peer.closed_with() == CLOSE_RATE_LIMITED


# Leaving, reconnecting, expiry ------------------------------------------------------------------


async def test_leave_tells_the_others_at_once(teacher, student, enrollment, live_meeting):
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    await a.recv_type("user-joined")
    await b.send({"type": "leave"})
    assert await b.closed_with() == 1000
    assert await a.recv() == {"type": "user-left", "peerId": b.peer_id}
    await a.close()


async def test_dropped_socket_leaves_after_the_grace(
    settings, teacher, student, enrollment, live_meeting
):
    settings.CLASSMEET_ROOM_RESUME_GRACE_SECONDS = 0.3
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    await a.recv_type("user-joined")
    await b.close()
    assert await a.nothing(timeout=0.1)  # within the grace: nothing yet
    assert await a.recv(timeout=2) == {"type": "user-left", "peerId": b.peer_id}
    assert await presence.lookup(live_meeting.pk, b.peer_id) is None
    await a.close()


async def test_a_page_going_away_leaves_at_once(teacher, student, enrollment, live_meeting):
    """The browser closes a page's socket with 1001 on reload, navigation or a closed tab
    (Firefox before `pagehide` could send `leave`): that page never resumes, so the others get
    `user-left` at once and its entry is gone, as after `leave`, not after the grace."""
    left: list[tuple[str, bool]] = []

    async def record_leave(event):
        left.append((event.peer.peer_id, event.on_purpose))

    hooks.on_leave(record_leave)
    try:
        a = await joined(teacher, live_meeting.pk)
        b = await joined(student, live_meeting.pk)
        await a.recv_type("user-joined")
        await b.ws.disconnect(code=1001)
        assert await a.recv(timeout=1) == {"type": "user-left", "peerId": b.peer_id}
        assert await presence.lookup(live_meeting.pk, b.peer_id) is None
        for _ in range(50):  # hooks run after the room was told
            if left:
                break
            await asyncio.sleep(0.02)
        assert left == [(b.peer_id, True)]
        await a.close()
    finally:
        hooks._leave_hooks[:] = [h for h in hooks._leave_hooks if h is not record_leave]


@pytest.mark.parametrize("code", [1000, 1006, 1012, 4002])
async def test_a_socket_lost_otherwise_keeps_its_entry_for_the_grace(
    code, teacher, student, enrollment, live_meeting
):
    """Any other close (network lost, server restarting, the page's own reconnect after a lost
    heartbeat) keeps the entry, so the same page can resume it."""
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    await a.recv_type("user-joined")
    await b.ws.disconnect(code=code)
    assert await a.nothing(timeout=0.3)
    gone = await presence.lookup(live_meeting.pk, b.peer_id)
    assert gone is not None
    assert not gone.connected
    b2 = await joined(student, live_meeting.pk, resume=b.peer_id)
    assert b2.welcome["resumed"] is True
    for peer in (a, b2):
        await peer.close()


async def test_join_ends_the_presence_of_the_tabs_previous_page(
    teacher, student, enrollment, live_meeting
):
    """A reloaded page names its previous page's peerId (`previous`): that page's entry, kept for
    the grace because its socket closed without `leave`, ends at once and is not in `welcome`."""
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    await a.recv_type("user-joined")
    await b.close()  # no `leave`, no 1001: kept for the grace
    assert await a.nothing(timeout=0.1)

    b2 = await joined(student, live_meeting.pk, previous=b.peer_id)
    assert b2.peer_id != b.peer_id
    assert b2.welcome["resumed"] is False
    assert [p["peerId"] for p in b2.welcome["participants"]] == [a.peer_id]
    assert await a.recv() == {"type": "user-left", "peerId": b.peer_id}
    assert (await a.recv())["peerId"] == b2.peer_id
    assert await presence.lookup(live_meeting.pk, b.peer_id) is None
    for peer in (a, b2):
        await peer.close()


async def test_previous_never_ends_another_users_or_an_open_peer(
    teacher, student, enrollment, live_meeting
):
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    await a.recv_type("user-joined")
    await a.close()  # the teacher's entry is in its grace
    c = await joined(student, live_meeting.pk, previous=a.peer_id)
    assert sorted(p["peerId"] for p in c.welcome["participants"]) == sorted([a.peer_id, b.peer_id])
    # The same user's open socket (a duplicated tab, or a page whose close is still on its way)
    # is left to its own close.
    d = await joined(student, live_meeting.pk, previous=b.peer_id)
    assert b.peer_id not in [p["peerId"] for p in d.welcome["participants"]]
    assert (await presence.lookup(live_meeting.pk, a.peer_id)) is not None
    b_entry = await presence.lookup(live_meeting.pk, b.peer_id)
    assert b_entry is not None
    assert b_entry.connected
    await b.send({"type": "ping"})
    assert (await b.recv_type("pong")) == {"type": "pong"}
    for peer in (b, c, d):
        await peer.close()


# The join in the socket's URL (early.js: `?join=1`) ---------------------------------------------


async def test_a_socket_whose_url_asks_to_join_gets_welcome_without_sending_join(
    teacher, student, enrollment, live_meeting
):
    a = await joined(teacher, live_meeting.pk)
    b, connected = await open_socket(student, live_meeting.pk, query="join=1")
    assert connected
    welcome = await b.recv_type("welcome")
    assert [p["peerId"] for p in welcome["participants"]] == [a.peer_id]
    assert (await a.recv_type("user-joined"))["peerId"] == welcome["peerId"]
    # The socket has joined: a `join` frame now is refused as for any joined socket.
    await b.send({"type": "join"})
    assert (await b.recv_type("error"))["code"] == "already-joined"
    for peer in (a, b):
        await peer.close()


async def test_the_url_join_names_the_tabs_previous_page(
    teacher, student, enrollment, live_meeting
):
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    await a.recv_type("user-joined")
    await b.close()  # kept for the grace
    b2, _ = await open_socket(student, live_meeting.pk, query=f"join=1&previous={b.peer_id}")
    welcome = await b2.recv_type("welcome")
    assert [p["peerId"] for p in welcome["participants"]] == [a.peer_id]
    assert await a.recv() == {"type": "user-left", "peerId": b.peer_id}
    for peer in (a, b2):
        await peer.close()


@pytest.mark.parametrize("query", ["join=1&previous=not-a-peer-id", "join=1&previous="])
async def test_a_malformed_url_join_is_an_error_frame_and_no_join(
    student, enrollment, live_meeting, query
):
    peer, connected = await open_socket(student, live_meeting.pk, query=query)
    assert connected
    error = await peer.recv_type("error")
    assert error["code"] == "bad-message"
    assert any("previous" in line for line in error.get("detail", [])), error
    assert await peer.nothing()
    welcome = await peer.join()  # a `join` frame still works
    assert welcome["participants"] == []
    await peer.close()


@pytest.mark.parametrize("query", ["", "join=0", "join=yes", "previous=" + "a" * 32])
async def test_without_join_1_the_socket_waits_for_a_join_frame(
    student, enrollment, live_meeting, query
):
    peer, _ = await open_socket(student, live_meeting.pk, query=query)
    assert await peer.nothing()
    await peer.close()


async def test_a_refused_socket_never_joins_by_its_url(outsider, live_meeting):
    peer, _ = await open_socket(outsider, live_meeting.pk, query="join=1")
    assert await peer.closed_with() == 4404
    peers, _expired = await presence.sweep(live_meeting.pk)
    assert peers == []


async def test_reconnecting_peer_resumes_its_entry_instead_of_appearing_twice(
    teacher, student, enrollment, course, live_meeting
):
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    await a.recv_type("user-joined")
    old_id = b.peer_id
    await b.close()

    b2 = await joined(student, live_meeting.pk, resume=old_id)
    assert b2.peer_id == old_id
    assert b2.welcome["resumed"] is True
    assert [p["peerId"] for p in b2.welcome["participants"]] == [a.peer_id]
    back = await a.recv()
    assert (back["type"], back["peerId"], back["resumed"]) == ("user-joined", old_id, True)

    # A newcomer sees each of them once, and relaying to the resumed peer uses its new socket.
    newcomer = await make_student(course)
    c = await joined(newcomer, live_meeting.pk)
    assert sorted(p["peerId"] for p in c.welcome["participants"]) == sorted([a.peer_id, old_id])
    await a.send({"type": "offer", "to": old_id, "sdp": OFFER_SDP})
    assert (await b2.recv_type("offer"))["from"] == a.peer_id
    for peer in (a, b2, c):
        await peer.close()


async def test_resume_while_the_old_socket_is_open_closes_the_old_one(
    teacher, student, enrollment, live_meeting
):
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    b2 = await joined(student, live_meeting.pk, resume=b.peer_id)
    assert b2.peer_id == b.peer_id
    assert await b.closed_with() == 4000
    await a.recv_type("user-joined")
    back = await a.recv_type("user-joined")
    assert back["resumed"] is True
    await a.send({"type": "offer", "to": b.peer_id, "sdp": OFFER_SDP})
    assert (await b2.recv_type("offer"))["from"] == a.peer_id
    await a.close()
    await b2.close()


def count_lookups(monkeypatch) -> list[str]:
    """Record every peer the real presence store is asked for (it still answers)."""
    store = presence.get_store()
    asked: list[str] = []
    real_get = store.get

    async def get(meeting_id: int, peer_id: str) -> presence.Peer | None:
        asked.append(peer_id)
        return await real_get(meeting_id, peer_id)

    monkeypatch.setattr(store, "get", get)
    return asked


async def test_relaying_to_a_known_peer_asks_presence_nothing(
    teacher, student, enrollment, course, live_meeting, monkeypatch
):
    a = await joined(teacher, live_meeting.pk)  # learns of b from user-joined
    b = await joined(student, live_meeting.pk)  # learns of a from its welcome
    await a.recv_type("user-joined")
    asked = count_lookups(monkeypatch)
    for _ in range(3):
        await a.send({"type": "offer", "to": b.peer_id, "sdp": OFFER_SDP})
        assert (await b.recv_type("offer"))["from"] == a.peer_id
        await b.send({"type": "answer", "to": a.peer_id, "sdp": OFFER_SDP})
        assert (await a.recv_type("answer"))["from"] == b.peer_id
    assert asked == []
    # A departed peer gets the same answer as before (presence is asked: it is unknown now).
    await b.send({"type": "leave"})
    assert await b.closed_with() == 1000
    await a.recv_type("user-left")
    await a.send({"type": "offer", "to": b.peer_id, "sdp": OFFER_SDP})
    error = await a.recv_type("error")
    assert (error["code"], error["detail"]) == ("unknown-peer", [b.peer_id])
    await a.close()


async def stale_entry(sender, peer_id: str, channel: str, meeting_id: int) -> None:
    """Put `peer_id → channel` into the sender's map, as a late event from another process
    would, and wait until the sender's consumer has taken it in."""
    from channels.layers import get_channel_layer

    from classmeet.rooms.frames import frame_event, peer_event

    layer = get_channel_layer()
    own = await presence.lookup(meeting_id, sender.peer_id)
    assert own is not None
    assert layer is not None
    await layer.send(own.channel, peer_event(peer_id, channel))
    await layer.send(own.channel, frame_event('{"type":"pong"}'))
    await sender.recv_type("pong")


async def test_a_stale_entry_after_the_peer_reconnected_still_reaches_its_new_socket(
    teacher, student, enrollment, live_meeting, monkeypatch
):
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    old = await presence.lookup(live_meeting.pk, b.peer_id)
    assert old is not None
    old_channel = old.channel
    b2 = await joined(student, live_meeting.pk, resume=b.peer_id)
    assert await b.closed_with() == 4000
    back = await a.recv_type("user-joined")
    back = back if back["resumed"] else await a.recv_type("user-joined")
    await stale_entry(a, b.peer_id, old_channel, live_meeting.pk)
    asked = count_lookups(monkeypatch)

    await a.send({"type": "offer", "to": b.peer_id, "sdp": OFFER_SDP})
    assert (await b2.recv_type("offer"))["from"] == a.peer_id
    # The old socket passed it on and corrected a's map: the next frame goes straight.
    await a.send({"type": "answer", "to": b.peer_id, "sdp": OFFER_SDP})
    assert (await b2.recv_type("answer"))["from"] == a.peer_id
    assert asked == [b.peer_id]
    assert await a.nothing()

    # A stale entry of a peer that has left: the sender gets `unknown-peer`, as before.
    await b2.send({"type": "leave"})
    assert await b2.closed_with() == 1000
    await a.recv_type("user-left")
    await stale_entry(a, b.peer_id, old_channel, live_meeting.pk)
    await a.send({"type": "offer", "to": b.peer_id, "sdp": OFFER_SDP})
    error = await a.recv_type("error")
    assert (error["code"], error["detail"]) == ("unknown-peer", [b.peer_id])
    for peer in (a, b, b2):
        await peer.close()


async def test_the_heartbeat_forgets_a_map_entry_that_presence_contradicts(
    settings, teacher, student, enrollment, live_meeting, monkeypatch
):
    """A missed event left a dead channel in a socket's map: within one heartbeat the entry is
    dropped and the next frame finds the peer through presence."""
    settings.CLASSMEET_ROOM_HEARTBEAT_SECONDS = 0.1
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk)
    await a.recv_type("user-joined")
    await stale_entry(a, b.peer_id, "gone!dead", live_meeting.pk)
    await asyncio.sleep(0.5)  # a few heartbeats
    asked = count_lookups(monkeypatch)
    await a.send({"type": "offer", "to": b.peer_id, "sdp": OFFER_SDP})
    assert (await b.recv_type("offer"))["from"] == a.peer_id
    assert asked == [b.peer_id]
    for peer in (a, b):
        await peer.close()


async def test_cannot_resume_another_users_peer(teacher, student, enrollment, live_meeting):
    a = await joined(teacher, live_meeting.pk)
    b = await joined(student, live_meeting.pk, resume=a.peer_id)
    assert b.peer_id != a.peer_id
    assert b.welcome["resumed"] is False
    assert [p["peerId"] for p in b.welcome["participants"]] == [a.peer_id]
    await a.close()
    await b.close()


async def test_peer_of_a_crashed_process_expires(settings, teacher, student, live_meeting):
    """An entry nobody refreshes (its server died) is swept and announced as left."""
    settings.CLASSMEET_ROOM_PRESENCE_TTL_SECONDS = 30
    ghost = presence.Peer(
        peer_id="0" * 32, user_id=student.pk, name="Ghost", role="student", channel="gone!x"
    )
    await presence.get_store().put(live_meeting.pk, ghost, now=time.time() - 60)
    a = await joined(teacher, live_meeting.pk)
    assert a.welcome["participants"] == []
    assert await presence.lookup(live_meeting.pk, ghost.peer_id) is None
    await a.close()


async def test_heartbeat_sweeps_stale_peers_and_announces_them(
    settings, teacher, student, live_meeting
):
    settings.CLASSMEET_ROOM_HEARTBEAT_SECONDS = 0.1
    settings.CLASSMEET_ROOM_PRESENCE_TTL_SECONDS = 0.5
    a = await joined(teacher, live_meeting.pk)
    ghost = presence.Peer(
        peer_id="1" * 32, user_id=student.pk, name="Ghost", role="student", channel="gone!x"
    )
    await presence.get_store().put(live_meeting.pk, ghost, now=time.time())
    assert await a.recv(timeout=3) == {"type": "user-left", "peerId": ghost.peer_id}
    # The live peer's own entry is kept fresh by its heartbeat.
    await asyncio.sleep(0.8)
    assert await presence.lookup(live_meeting.pk, a.peer_id) is not None
    await a.close()


async def test_join_and_leave_hooks_run_and_a_failing_hook_is_contained(
    teacher, student, enrollment, live_meeting
):
    seen: list[tuple[str, str, bool]] = []

    async def record_join(event):
        seen.append(("join", event.peer.peer_id, event.resumed))

    async def record_leave(event):
        seen.append(("leave", event.peer.peer_id, event.on_purpose))

    async def broken(event):
        raise RuntimeError("boom")

    for hook in (record_join, broken):
        hooks.on_join(hook)
    for hook in (record_leave, broken):
        hooks.on_leave(hook)
    try:
        a = await joined(teacher, live_meeting.pk)
        b = await joined(student, live_meeting.pk)
        await a.recv_type("user-joined")
        await b.send({"type": "leave"})
        await a.recv_type("user-left")
        for _ in range(100):  # hooks run after the room was told
            if len(seen) >= 3:
                break
            await asyncio.sleep(0.02)
        assert seen == [
            ("join", a.peer_id, False),
            ("join", b.peer_id, False),
            ("leave", b.peer_id, True),
        ]
        await a.send({"type": "ping"})
        assert await a.recv() == {"type": "pong"}
        await a.close()
    finally:
        for registry in (hooks._join_hooks, hooks._leave_hooks):
            registry[:] = [h for h in registry if h not in (record_join, record_leave, broken)]


async def test_frames_are_json_text_with_a_type(teacher, live_meeting):
    """Every server frame is one JSON object whose `type` is a kebab-case name."""
    peer = await joined(teacher, live_meeting.pk)
    await peer.send({"type": "ping"})
    while True:
        frame = json.loads(await peer.ws.receive_from())
        assert isinstance(frame, dict)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", frame["type"])
        if frame["type"] == "pong":
            break
    assert frame == {"type": "pong"}
    await peer.close()
