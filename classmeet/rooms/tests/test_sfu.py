"""The SFU topology against a real Janus (Debian `janus`, started from deploy/janus/ on ports of
this test): room lifecycle owned by Django, per-participant tokens, the switch at the threshold,
publishing and subscribing through the meeting socket, removal kicks, meeting end destroys."""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.rooms import classroom, sfu
from classmeet.rooms.sfu import rooms, topology
from classmeet.rooms.sfu.janus import UNAUTHORIZED, JanusError
from classmeet.rooms.sfu.launch import JanusProcess, start_janus
from classmeet.rooms.sfu.launch import sfu_settings as sfu_settings_for
from classmeet.rooms.tests.conftest import joined, open_socket
from tests.support import free_port, require_service

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def janus() -> Iterator[JanusProcess]:
    require_service(
        bool(shutil.which("janus")),
        "janus is not installed",
        required="janus is required but missing",
    )
    process = start_janus(port=free_port(), rtp_ports=(21000, 21099))
    yield process
    process.stop()


@pytest.fixture(autouse=True)
def sfu_settings(settings: Any, janus: JanusProcess, monkeypatch: Any) -> None:
    sfu_settings_for(settings, janus)
    settings.CLASSMEET_SFU_THRESHOLD = 3
    monkeypatch.setattr(topology, "_local", set())
    monkeypatch.setattr(classroom, "state", classroom.ClassroomState())


@pytest.fixture
def room(live_meeting: Any, enrollment: Any) -> Any:
    return live_meeting


@pytest.fixture
def students(course: Any) -> list[Any]:
    made = []
    for n in range(3):
        user = StudentFactory.create(username=f"sfu{n}")
        EnrollmentFactory.create(course=course, student=user)
        made.append(user)
    return made


def offer_sdp() -> str:
    """A browser-like SDP offer (audio opus + video VP8, bundled), enough for Janus to answer."""
    ufrag, pwd = secrets.token_hex(4), secrets.token_hex(12)
    fingerprint = ":".join(f"{b:02X}" for b in secrets.token_bytes(32))
    common = (
        f"c=IN IP4 0.0.0.0\r\na=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\n"
        f"a=fingerprint:sha-256 {fingerprint}\r\na=setup:actpass\r\n"
    )
    return (
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
        "a=msid-semantic: WMS s\r\n"
        f"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n{common}a=mid:0\r\na=sendrecv\r\n"
        "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=msid:s a\r\na=ssrc:1001 cname:c\r\n"
        f"m=video 9 UDP/TLS/RTP/SAVPF 96\r\n{common}a=mid:1\r\na=sendrecv\r\n"
        "a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=msid:s v\r\na=ssrc:2002 cname:c\r\n"
    )


async def frame_of(peer: Any, type_: str, timeout: float = 5) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await peer.ws.receive_from(timeout=timeout))
        if frame["type"] == type_:
            return frame


async def displays(meeting_id: int) -> list[str]:
    return [str(p["display"]) for p in await rooms.sfu_participants(meeting_id=meeting_id)]


# Room lifecycle and credentials, straight against Janus ---------------------------------------


async def test_room_is_created_once_and_destroyed_with_its_secret():
    assert await rooms.sfu_room_ensure(meeting_id=9001) is True
    assert await rooms.sfu_room_ensure(meeting_id=9001) is False  # another process raced us
    assert await rooms.sfu_room_exists(meeting_id=9001)
    assert await rooms.sfu_room_destroy(meeting_id=9001) is True
    assert not await rooms.sfu_room_exists(meeting_id=9001)
    assert await rooms.sfu_room_destroy(meeting_id=9001) is False


async def test_rooms_cannot_be_created_without_the_admin_key_or_the_api_secret(settings):
    settings.CLASSMEET_SFU_ADMIN_KEY = "forged"
    with pytest.raises(JanusError) as refused:
        await rooms.sfu_room_ensure(meeting_id=9002)
    assert refused.value.code == 403 or "admin" in refused.value.reason.lower()
    settings.CLASSMEET_SFU_API_SECRET = "forged"
    with pytest.raises(JanusError) as no_api:
        await rooms.sfu_room_exists(meeting_id=9002)
    assert no_api.value.code == 403


async def test_joining_needs_the_pin_and_a_token_issued_for_the_participant():
    await rooms.sfu_room_ensure(meeting_id=9003)
    try:
        async with rooms.new_session() as session:
            handle = await session.attach()
            token = await rooms.sfu_token_issue(
                session=session, handle=handle, meeting_id=9003, user_id=42
            )
            base = {"request": "join", "ptype": "publisher", "room": 9003, "display": "42:p"}
            for forged in (
                {"pin": rooms.room_pin(9003), "token": "42.forged"},
                {"pin": rooms.room_pin(9003), "token": rooms.sfu_credential_new(user_id=42)},
                {"pin": "wrong", "token": token},
                {"pin": rooms.room_pin(9003)},
            ):
                with pytest.raises(JanusError) as refused:
                    await session.message(await session.attach(), {**base, **forged})
                assert refused.value.code in (UNAUTHORIZED, 433)
            # Revoked (as on leave or removal): the same token no longer opens the room.
            assert await rooms.sfu_tokens_revoke(meeting_id=9003, user_id=42, token=token) == [
                token
            ]
            with pytest.raises(JanusError):
                await session.message(
                    await session.attach(), {**base, "pin": rooms.room_pin(9003), "token": token}
                )
    finally:
        await rooms.sfu_room_destroy(meeting_id=9003)


async def test_public_interface_switches_the_room_lists_participants_and_records(tmp_path):
    """What recordings uses: the room moves to the SFU once, participants come back as
    {feed: user id} (publishers only on request), Janus records into the folder given, and
    stopping the recording of a room that is gone reports it."""
    try:
        assert await sfu.switch_to_sfu(meeting_id=9006) is True
        assert await sfu.switch_to_sfu(meeting_id=9006) is False
        assert await topology.topology_get(meeting_id=9006) == topology.SFU
        assert await rooms.sfu_room_exists(meeting_id=9006)
        async with rooms.new_session() as session:
            handle = await session.attach()
            token = await rooms.sfu_token_issue(
                session=session, handle=handle, meeting_id=9006, user_id=42
            )
            data, _jsep = await session.message(
                handle,
                {
                    "request": "join",
                    "ptype": "publisher",
                    "room": 9006,
                    "display": "42:p",
                    "pin": rooms.room_pin(9006),
                    "token": token,
                },
            )
            feed = str(data["id"])
            assert await sfu.room_participants(meeting_id=9006) == {feed: 42}
            assert await sfu.room_participants(meeting_id=9006, publishing=True) == {}
            await sfu.room_recording_start(meeting_id=9006, folder=tmp_path)
            assert await sfu.room_recording_stop(meeting_id=9006) is True
    finally:
        await rooms.sfu_room_release(meeting_id=9006)
    assert await topology.topology_get(meeting_id=9006) == topology.MESH
    assert await sfu.room_participants(meeting_id=9006) == {}
    assert await sfu.room_recording_stop(meeting_id=9006) is False


async def _janus_call(credential: str, body: dict[str, Any], path: str = "") -> dict[str, Any]:
    """One Janus API request as a client holding only `credential` would send it."""
    import httpx
    from django.conf import settings

    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{settings.CLASSMEET_SFU_URL}{path}",
            json={**body, "transaction": secrets.token_hex(4), "token": credential},
        )
    return dict(response.json())


async def test_credentials_are_signed_expire_and_are_renewed(settings, monkeypatch):
    """Janus checks each participant credential's signature and expiry on every request: a
    forged or expired one can neither open a session nor join, publish or subscribe; a renewed
    one keeps working for the participant who stays."""
    await rooms.sfu_room_ensure(meeting_id=9005)
    try:
        good = rooms.sfu_credential_new(user_id=5)
        expired = rooms.sfu_credential_new(user_id=5, seconds=-1)  # correctly signed, too old
        data = good.partition(":")[0]
        forged = [
            rooms.sign_credential(data, "not-the-secret"),  # signed with another key
            good.replace(",classmeet.u5.", ",classmeet.u6."),  # another participant's identity
            f"{int(data.split(',')[0]) + 3600}{good[good.index(',') :]}",  # later expiry
        ]
        session = rooms.participant_session(good)
        await session.open()
        handle = await session.attach()
        for credential in (expired, *forged):
            await rooms.sfu_token_allow(
                session=session, handle=handle, meeting_id=9005, credential=credential
            )
        await rooms.sfu_token_allow(
            session=session, handle=handle, meeting_id=9005, credential=good
        )
        join = {
            "request": "join",
            "ptype": "publisher",
            "room": 9005,
            "pin": rooms.room_pin(9005),
            "display": "5:p",
        }
        for credential in (expired, *forged):
            # Even listed in the room's allowed list, Janus refuses the credential itself.
            refused = await _janus_call(credential, {"janus": "create"})
            assert refused["janus"] == "error"
            assert refused["error"]["code"] == 403
            # ... and on an existing session: no attach, no join, no publish, no subscribe.
            for body, path in (
                ({"janus": "attach", "plugin": "janus.plugin.videoroom"}, f"/{session.session_id}"),
                (
                    {"janus": "message", "body": {**join, "token": credential}},
                    f"/{session.session_id}/{handle}",
                ),
                (
                    {
                        "janus": "message",
                        "body": {"request": "configure", "audio": True},
                        "jsep": {"type": "offer", "sdp": offer_sdp()},
                    },
                    f"/{session.session_id}/{handle}",
                ),
                (
                    {
                        "janus": "message",
                        "body": {**join, "ptype": "subscriber", "feed": 1, "token": credential},
                    },
                    f"/{session.session_id}/{handle}",
                ),
            ):
                refused = await _janus_call(credential, body, path)
                assert refused["janus"] == "error", (credential, body)
                assert refused["error"]["code"] == 403
        # The good credential publishes.
        data_, jsep = await session.message(
            handle,
            {**join, "request": "joinandconfigure", "token": good},
            {"type": "offer", "sdp": offer_sdp()},
        )
        assert jsep is not None
        assert jsep["type"] == "answer"
        # Renewed: the session carries the new credential, the old one leaves the allowed list.
        renewed = await rooms.sfu_token_renew(
            session=session, handle=handle, meeting_id=9005, user_id=5
        )
        assert session.token == renewed != good
        assert rooms.credential_user(renewed) == 5
        listed = await rooms.sfu_tokens_revoke(meeting_id=9005, user_id=999)  # prunes expired
        assert listed == []
        async with rooms.new_session() as control:
            allowed = await rooms._allowed(control, await control.attach(), 9005, "add", [])
        assert renewed in allowed
        assert good not in allowed
        assert expired not in allowed  # pruned
        # Subscribing with the renewed credential passes Janus's checks (the feed has no media
        # here: "no such feed"); the replaced one no longer opens the room to publishers.
        sub = await session.attach()
        subscribe = {**join, "ptype": "subscriber", "feed": int(data_["id"])}
        with pytest.raises(JanusError) as no_media:
            await session.message(sub, {**subscribe, "token": renewed})
        assert no_media.value.code == 428
        with pytest.raises(JanusError) as replaced:
            await session.message(await session.attach(), {**join, "token": good})
        assert replaced.value.code == UNAUTHORIZED
        await session.close()
    finally:
        await rooms.sfu_room_destroy(meeting_id=9005)


# The switch, publishing and subscribing through the meeting socket ----------------------------


async def test_room_stays_mesh_below_the_threshold_and_refuses_sfu_frames(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await s.send({"type": "sfu-publish", "sdp": offer_sdp()})
    error = await frame_of(s, "error")
    assert error["code"] == "sfu-unavailable"
    assert await topology.topology_get(meeting_id=room.pk) == topology.MESH
    assert not await rooms.sfu_room_exists(meeting_id=room.pk)
    await t.close()
    await s.close()


async def test_threshold_switches_everyone_and_media_negotiates_through_the_socket(
    room, teacher, student, students
):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    third = await joined(students[0], room.pk)  # threshold 3: this join switches the room
    for peer in (t, s, third):
        switch = await frame_of(peer, "topology")
        assert switch["mode"] == "sfu"
        assert switch["maxStudentVideos"] == 9
    assert await rooms.sfu_room_exists(meeting_id=room.pk)

    await t.send({"type": "sfu-publish", "sdp": offer_sdp()})
    published = await frame_of(t, "sfu-published")
    assert published["sdp"].startswith("v=0")
    assert "a=fingerprint" in published["sdp"]
    assert f"{teacher.pk}:{t.peer_id}" in await displays(room.pk)
    # Trickle ICE: the browser's candidates follow its offer; Janus takes them silently.
    host = "candidate:1 1 udp 2122260223 10.200.77.1 50000 typ host generation 0"
    await t.send({"type": "sfu-trickle", "candidate": {"candidate": host, "sdpMid": "0"}})
    await t.send({"type": "sfu-trickle"})  # gathering complete
    await t.send({"type": "sfu-trickle", "feedId": 12345, "candidate": {"candidate": host}})
    assert await t.nothing(timeout=0.5)  # not a feed of ours: ignored
    await t.send({"type": "sfu-trickle", "feedId": -1})
    assert (await frame_of(t, "error"))["code"] == "bad-message"
    # No media reached Janus (no browser here): the feed is not announced, and subscribing to
    # it fails cleanly. tests/e2e/test_sfu_browser.py proves media end to end.
    assert await s.nothing(timeout=0.5)
    await s.send({"type": "sfu-subscribe", "feedId": published["feedId"]})
    assert (await frame_of(s, "error"))["code"] == "sfu-unavailable"

    # A late joiner learns the topology and the feeds before `welcome`: no mesh at all.
    late, connected = await open_socket(students[1], room.pk)
    assert connected
    await late.send({"type": "join"})
    first = json.loads(await late.ws.receive_from(timeout=5))
    assert first["type"] == "topology"
    assert first["mode"] == "sfu"
    assert first["feeds"] == []  # published, but no media reached Janus: not a feed yet
    assert json.loads(await late.ws.receive_from(timeout=5))["type"] == "welcome"

    # Leaving closes the participant's Janus session: its feed goes away.
    await t.send({"type": "leave"})
    for _ in range(50):
        if f"{teacher.pk}:{t.peer_id}" not in await displays(room.pk):
            break
        await asyncio.sleep(0.1)
    assert f"{teacher.pk}:{t.peer_id}" not in await displays(room.pk)
    for peer in (s, third, late):
        await peer.close()
    await rooms.sfu_room_destroy(meeting_id=room.pk)


async def test_subscribing_to_a_feed_of_another_room_fails(room, teacher, student, students):
    await rooms.sfu_room_ensure(meeting_id=9004)
    try:
        async with rooms.new_session() as other:
            handle = await other.attach()
            token = await rooms.sfu_token_issue(
                session=other, handle=handle, meeting_id=9004, user_id=7
            )
            data, _ = await other.message(
                handle,
                {
                    "request": "joinandconfigure",
                    "ptype": "publisher",
                    "room": 9004,
                    "pin": rooms.room_pin(9004),
                    "token": token,
                    "display": "7:x",
                },
                {"type": "offer", "sdp": offer_sdp()},
            )
            foreign_feed = int(data["id"])
            peers = [await joined(u, room.pk) for u in (teacher, student, students[0])]
            await frame_of(peers[1], "topology")
            await peers[1].send({"type": "sfu-subscribe", "feedId": foreign_feed})
            assert (await frame_of(peers[1], "error"))["code"] == "sfu-unavailable"
            for peer in peers:
                await peer.close()
    finally:
        await rooms.sfu_room_destroy(meeting_id=9004)
        await rooms.sfu_room_destroy(meeting_id=room.pk)


async def test_removal_kicks_the_user_from_janus_and_revokes_their_tokens(
    room, teacher, student, students
):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    other = await joined(students[0], room.pk)
    await frame_of(s, "topology")
    await s.send({"type": "sfu-publish", "sdp": offer_sdp()})
    await frame_of(s, "sfu-published")
    assert f"{student.pk}:{s.peer_id}" in await displays(room.pk)

    await t.send({"type": "remove-peer", "peerId": s.peer_id})
    assert await s.closed_with(timeout=5) == 4410
    for _ in range(50):
        if not any(d.startswith(f"{student.pk}:") for d in await displays(room.pk)):
            break
        await asyncio.sleep(0.1)
    assert not any(d.startswith(f"{student.pk}:") for d in await displays(room.pk))
    assert await rooms.sfu_tokens_revoke(meeting_id=room.pk, user_id=student.pk) == []
    await t.close()
    await other.close()
    await rooms.sfu_room_destroy(meeting_id=room.pk)


async def test_ending_the_meeting_destroys_the_janus_room(room, teacher, student, students):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    other = await joined(students[0], room.pk)
    await frame_of(t, "topology")
    assert await rooms.sfu_room_exists(meeting_id=room.pk)
    await t.send({"type": "end-meeting"})
    for peer in (t, s, other):
        assert await peer.closed_with(timeout=5) == 4411
    for _ in range(50):
        if not await rooms.sfu_room_exists(meeting_id=room.pk):
            break
        await asyncio.sleep(0.1)
    assert not await rooms.sfu_room_exists(meeting_id=room.pk)
    assert await topology.topology_get(meeting_id=room.pk) == topology.MESH


async def test_without_an_sfu_url_rooms_stay_mesh(settings, room, teacher, student, students):
    settings.CLASSMEET_SFU_URL = ""
    peers = [await joined(u, room.pk) for u in (teacher, student, students[0])]
    for peer in peers:
        seen = []
        while not await peer.ws.receive_nothing(timeout=0.3):
            seen.append(json.loads(await peer.ws.receive_from())["type"])
        assert "welcome" not in seen  # sanity: these are the frames after joining
        assert "topology" not in seen
    assert await topology.topology_get(meeting_id=room.pk) == topology.MESH
    for peer in peers:
        await peer.close()


# Room leaks: the meeting's end destroys the room even with nobody connected -----------------


def _end_meeting(meeting: Any, by_id: int) -> None:
    from classmeet.rooms.services.controls import meeting_end

    meeting_end(meeting=meeting, by_id=by_id)


async def test_ending_a_meeting_nobody_is_in_destroys_its_janus_room(room, teacher):
    from asgiref.sync import sync_to_async

    await rooms.sfu_room_ensure(meeting_id=room.pk)
    await topology.topology_switch(meeting_id=room.pk)
    await sync_to_async(_end_meeting)(room, teacher.pk)  # e.g. from the meeting page
    assert not await rooms.sfu_room_exists(meeting_id=room.pk)
    assert await topology.topology_get(meeting_id=room.pk) == topology.MESH


async def test_sweep_destroys_rooms_of_meetings_that_are_over_and_keeps_live_ones(
    room, teacher, course
):
    from datetime import timedelta

    from asgiref.sync import sync_to_async
    from django.utils import timezone

    from classmeet.meetings.models import Meeting
    from classmeet.meetings.tests.factories import MeetingFactory
    from classmeet.rooms.tasks import sfu_rooms_sweep

    def make() -> tuple[Any, Any, Any]:
        ended = MeetingFactory.create(course=course, status=Meeting.Status.ENDED)
        cancelled = MeetingFactory.create(course=course, status=Meeting.Status.CANCELLED)
        past = MeetingFactory.create(
            course=course, starts_at=timezone.now() - timedelta(hours=3), duration_minutes=60
        )
        return ended, cancelled, past

    ended, cancelled, past = await sync_to_async(make)()
    gone = 987654  # a room whose meeting was deleted
    for meeting_id in (room.pk, ended.pk, cancelled.pk, past.pk, gone):
        await rooms.sfu_room_ensure(meeting_id=meeting_id)
    destroyed = await sync_to_async(sfu_rooms_sweep)()
    assert sorted(destroyed) == sorted([ended.pk, cancelled.pk, past.pk, gone])
    assert await rooms.sfu_room_exists(meeting_id=room.pk)  # live: kept
    assert await rooms.sfu_room_ids() == [room.pk]
    await rooms.sfu_room_destroy(meeting_id=room.pk)


# Janus dies mid-meeting -----------------------------------------------------------------------


@pytest.fixture
def dying_janus(settings: Any) -> Iterator[JanusProcess]:
    """A Janus of this test alone: it is killed and started again."""
    process = start_janus(port=free_port(), rtp_ports=(21100, 21199))
    sfu_settings_for(settings, process)
    yield process
    process.stop()


async def _publishing(peers: list[Any]) -> None:
    for peer in peers:
        await frame_of(peer, "topology")
        await peer.send({"type": "sfu-publish", "sdp": offer_sdp()})
        await frame_of(peer, "sfu-published")


async def test_janus_lost_sends_a_small_room_back_to_the_mesh(
    dying_janus, room, teacher, student, students
):
    peers = [await joined(u, room.pk) for u in (teacher, student, students[0])]
    await _publishing(peers)
    dying_janus.kill()
    for peer in peers:
        back = await frame_of(peer, "topology", timeout=10)
        assert back["mode"] == "mesh"
        assert back["reason"] == "sfu-lost"
        assert "unreachable" in back["notice"]
    assert await topology.topology_get(meeting_id=room.pk) == topology.MESH
    # The mesh works again: offers are relayed peer to peer.
    await peers[0].send({"type": "offer", "to": peers[1].peer_id, "sdp": "v=0"})
    assert (await frame_of(peers[1], "offer"))["from"] == peers[0].peer_id
    for peer in peers:
        await peer.close()


async def test_janus_lost_in_a_large_room_waits_and_everyone_republishes_once_it_is_back(
    settings, dying_janus, room, teacher, student, students
):
    settings.CLASSMEET_SFU_FALLBACK_MESH_MAX = 2  # three present: too many for the mesh
    peers = [await joined(u, room.pk) for u in (teacher, student, students[0])]
    await _publishing(peers[:1])
    for peer in peers[1:]:
        assert (await frame_of(peer, "topology"))["reason"] == ""  # the switch
    dying_janus.kill()
    for peer in peers:
        lost = await frame_of(peer, "topology", timeout=10)
        assert (lost["mode"], lost["reason"]) == ("sfu", "sfu-lost")
    await asyncio.to_thread(dying_janus.launch)  # Janus restarts: no rooms, no sessions
    for peer in peers:
        back = await frame_of(peer, "topology", timeout=10)
        assert (back["mode"], back["reason"]) == ("sfu", "sfu-back")
    assert await rooms.sfu_room_exists(meeting_id=room.pk)
    await peers[1].send({"type": "sfu-publish", "sdp": offer_sdp()})
    assert (await frame_of(peers[1], "sfu-published"))["sdp"].startswith("v=0")
    for peer in peers:
        await peer.close()
    await rooms.sfu_room_destroy(meeting_id=room.pk)
