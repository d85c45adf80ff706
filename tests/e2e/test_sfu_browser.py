"""The SFU topology in real headless Chromium: six participants (threshold 5) in one meeting
start as a mesh, the 5th join moves the room to Janus, every participant then decodes the
teacher's video and at least three other feeds through Janus and the mesh closes. Then, in SFU
mode: simulcast layers, the grid cap, chat, hand, camera off, the teacher's mute, attendance, a
dropped socket that comes back and decodes again, removal (the feed stops), forged and expired
credentials refused by Janus, and Janus killed: the room goes back to the mesh.

Janus never offers a loopback candidate, so this test gives it a network of its own: a network
namespace with one end of a veth pair (10.200.77.2/30, the host end 10.200.77.1; the next free
/30 of 10.200.77.0/24 if another run holds it), and runs Janus there with deploy/janus settings
(API on the veth address, ICE enforced on it). Nothing depends on the machine's external
interface. The namespace is removed at the end.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.urls import reverse

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.rooms import locks
from classmeet.rooms.sfu import launch, rooms, topology
from classmeet.rooms.sfu.launch import JanusProcess, can_use_netns
from tests.support import require_service

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

NETNS = f"cmsfu{os.getpid() % 100000}"


@pytest.fixture(scope="module")
def janus_in_netns() -> Iterator[JanusProcess]:
    require_service(
        can_use_netns(),
        "needs janus, iproute2 and root",
        required="janus, iproute2 and root (network namespaces) are required",
    )
    # 10.200.77.0/30: a private network used by this test alone (see launch.janus_in_netns).
    with launch.janus_in_netns(NETNS) as janus:
        yield janus


issued: list[str] = []  # every participant credential Django issued, oldest first


@pytest.fixture
def sfu(settings: Any, janus_in_netns: JanusProcess, monkeypatch: Any) -> JanusProcess:
    launch.sfu_settings(settings, janus_in_netns)
    settings.CLASSMEET_SFU_THRESHOLD = 5
    settings.CLASSMEET_SFU_MAX_STUDENT_VIDEOS = 3
    # Short-lived credentials: renewed several times during the test, the first ones expire.
    settings.CLASSMEET_SFU_TOKEN_SECONDS = 20
    monkeypatch.setattr(topology, "_local", set())
    new_credential = rooms.sfu_credential_new

    def keep(**kwargs: Any) -> str:
        issued.append(new_credential(**kwargs))
        return issued[-1]

    monkeypatch.setattr(rooms, "sfu_credential_new", keep)
    return janus_in_netns


@pytest.fixture
def cast() -> tuple[Any, list[Any], Any]:
    teacher = TeacherFactory.create(username="sfu_tina", first_name="Tina", last_name="Teach")
    course = CourseFactory.create(teacher=teacher, title="Big class")
    students = []
    for n in range(5):
        student = StudentFactory.create(username=f"sfu_s{n}", first_name=f"S{n}")
        EnrollmentFactory.create(course=course, student=student)
        students.append(student)
    return teacher, students, MeetingFactory.create(course=course, title="Lecture")


console_errors: list[str] = []  # the pages' console errors, for a failing test's report


def join(new_page: Any, user: Any, meeting: Any) -> Any:
    page = new_page(user, sign_in="cookie")

    def keep_errors(message: Any) -> None:
        if message.type == "error" or "classmeet:" in message.text:
            console_errors.append(f"{user.username}: {message.text}")

    page.on("console", keep_errors)
    page.goto(reverse("rooms:room", kwargs={"meeting_id": meeting.pk}), wait_until="commit")
    page.wait_for_selector("#room[data-joined='true']", timeout=60_000)
    return page


STATE_JS = """async () => {
  const meshLinks = {}; // peerId -> "<connection>/<signaling>/<frames decoded>", for failure reports
  const meshFrames = async (room) => {
    let n = 0;
    for (const [peerId, pc] of room.connections()) {
      let frames = 0;
      (await pc.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
      });
      meshLinks[peerId] = `${pc.connectionState}/${pc.signalingState}/${frames}`;
      if (frames > 0) n += 1;
    }
    return n;
  };
  const room = window.classmeetRoom;
  const sfu = room.sfu();
  const decoded = {};
  const heard = {}; // peerId -> audio packets received (audio flows even where the grid pauses video)
  const links = {}; // peerId -> an id of the RTCPeerConnection receiving them
  for (const sub of sfu.subscribers.values()) {
    if (!sub.pc) continue;
    let frames = 0;
    let packets = 0;
    (await sub.pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
      if (r.type === "inbound-rtp" && r.kind === "audio") packets += r.packetsReceived || 0;
    });
    decoded[sub.peerId] = frames;
    heard[sub.peerId] = packets;
    sub.pc.testId ??= Math.random();
    links[sub.peerId] = sub.pc.testId;
  }
  return {
    topology: room.topology,
    mesh: room.connections().size,
    meshConnected: [...room.connections().values()].filter(
      (pc) => pc.connectionState === "connected").length,
    publisher: sfu.publisher ? sfu.publisher.connectionState : null,
    decoded,
    heard,
    links,
    meshDecoded: await meshFrames(room),
    meshLinks,
  };
}"""


VIDEO_BYTES_JS = """async () => {
  const bytes = {};
  for (const sub of window.classmeetRoom.sfu().subscribers.values()) {
    if (!sub.pc) continue;
    bytes[sub.peerId] = 0;
    (await sub.pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") bytes[sub.peerId] += r.bytesReceived;
    });
  }
  return bytes;
}"""


def state(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(STATE_JS))


def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.25)
    raise AssertionError(f"{what}: still {last!r} after {timeout}s")


def test_six_participants_move_from_mesh_to_janus_and_removal_cuts_the_feed(
    sfu: JanusProcess, new_page: Any, cast: Any
) -> None:
    teacher, students, meeting = cast
    t = join(new_page, teacher, meeting)
    first = [join(new_page, s, meeting) for s in students[:3]]
    # Four participants: a mesh, connected peer to peer.
    for page in (t, *first):
        wait_for(lambda p=page: state(p)["meshConnected"] == 3, 30, "mesh of four")
        assert state(page)["topology"] == "mesh"

    started = time.monotonic()
    fifth = join(new_page, students[3], meeting)  # crosses the threshold
    sixth = join(new_page, students[4], meeting)  # joins a room already on the SFU
    pages = [t, *first, fifth, sixth]
    ids = [str(p.evaluate("() => window.classmeetRoom.peerId")) for p in pages]
    teacher_id = ids[0]

    def decoding(page: Any, own: str) -> dict[str, Any] | None:
        current = state(page)
        flowing = {peer for peer, frames in current["decoded"].items() if frames > 0}
        others = flowing - {teacher_id, own}
        if current["topology"] != "sfu" or current["publisher"] != "connected":
            return None
        if own != teacher_id and teacher_id not in flowing:
            return None
        return current if len(others) >= 3 and current["mesh"] == 0 else None

    for page, own in zip(pages, ids, strict=True):
        wait_for(lambda p=page, o=own: decoding(p, o), 60, f"SFU media on {own}")
    switch_seconds = time.monotonic() - started
    assert switch_seconds < 90

    # Grid: the teacher's tile comes first and plays; at most 3 student videos play at once.
    videos_off = (
        "n => document.querySelectorAll('#video-grid .tile[data-video-off=true]').length === n"
    )
    t.wait_for_function(videos_off, arg=2)  # 5 students, 3 play
    for page in pages[1:]:
        page.wait_for_function(videos_off, arg=1)  # 4 other students, 3 play
        tile = page.locator(f"#video-grid .tile[data-peer='{teacher_id}']")
        assert tile.get_attribute("data-video-off") == "false"
        assert tile.evaluate("el => el.style.order") == "0"

    # The videos the grid does not play are paused at Janus: of the teacher's five student
    # feeds, at most three keep sending video (which three follows the last speakers).
    last: list[dict[str, int]] = [t.evaluate(VIDEO_BYTES_JS)]

    def paused() -> bool:
        now = t.evaluate(VIDEO_BYTES_JS)
        grown = [now[peer] - last[0].get(peer, 0) for peer in now]
        last[0] = now
        time.sleep(0.5)  # a sampling window, not an assertion
        receiving = sum(1 for g in grown if g > 1500)
        return len(grown) == 5 and 1 <= receiving <= 3

    wait_for(paused, 30, "videos the grid does not play are still sent")

    # Everybody publishes into the meeting's Janus room, which Django created.
    published = {p["display"] for p in _participants(meeting.pk)}
    assert {f"{u.pk}:{i}" for u, i in zip([teacher, *students], ids, strict=True)} <= published

    # Simulcast: the teacher's camera goes to Janus in three layers (VP8 in Chromium).
    layers = t.evaluate(
        """() => {
          const pc = window.classmeetRoom.sfu().publisher;
          const video = pc.getSenders().find((s) => s.track?.kind === "video");
          return [video.getParameters().encodings.map((e) => e.rid),
                  /a=simulcast:send h;m;l/.test(pc.localDescription.sdp)];
        }"""
    )
    assert layers == [["h", "m", "l"], True]

    _classroom_works_through_the_sfu(t, fifth, ids[0], ids[4], meeting, [teacher, *students])

    # The teacher removes the sixth participant: their page is refused and the feed stops.
    t.on("dialog", lambda dialog: dialog.accept())
    t.locator(f"#participants li[data-peer='{ids[5]}'] .remove-peer").click()
    sixth.wait_for_selector("#room[data-ended='removed']", state="attached")
    wait_for(lambda: state(sixth)["decoded"] == {}, 10, "removed page still subscribed")
    wait_for(
        lambda: (
            not any(
                str(p["display"]).startswith(f"{students[4].pk}:")
                for p in _participants(meeting.pk)
            )
        ),
        10,
        "removed participant still in Janus",
    )
    # The others stop receiving the removed participant.
    wait_for(lambda: ids[5] not in state(t)["decoded"], 10, "teacher still subscribed")

    # The removed user's tokens were revoked: none is left in the room's allowed list.
    assert _in_thread(rooms.sfu_tokens_revoke(meeting_id=meeting.pk, user_id=students[4].pk)) == []

    # Credentials: Janus refuses a forged token, a wrong pin, and a credential Django issued
    # earlier in this meeting that has expired since (its holders got renewed ones).
    _assert_refused(meeting.pk, token=f"{students[4].pk}.forged", pin=rooms.room_pin(meeting.pk))
    _assert_refused(meeting.pk, token=None, pin="0000")
    # On a fast machine the test gets here before the first credential's 20 s are over: wait.
    expired = issued[0]
    wait_for(lambda: rooms.credential_expired(expired), 25, "the first credential never expired")
    # Renewed at half their life while the participants stayed.
    wait_for(lambda: len(issued) > 6, 15, "credentials were not renewed")
    _assert_expired_refused(expired, meeting.pk)

    # Janus dies: everybody is told, and the room (5 ≤ CLASSMEET_SFU_FALLBACK_MESH_MAX) goes
    # back to the mesh and decodes every other participant peer to peer.
    sfu.kill()
    try:
        for page in pages[:5]:
            page.wait_for_selector("#media-banner:not(.d-none)")
            assert "media server is unreachable" in page.locator("#media-banner").text_content()
        seen: dict[str, dict[str, Any]] = {}

        def back(page: Any, own: str) -> bool:
            seen[own] = state(page)
            return bool(seen[own]["topology"] == "mesh" and seen[own]["meshDecoded"] == 4)

        for page, own in zip(pages[:5], ids[:5], strict=True):
            try:
                wait_for(lambda p=page, o=own: back(p, o), 90, "back to the mesh")
            except AssertionError:
                links = {
                    mine: p.evaluate("() => window.classmeetRoom.meshDebug()")
                    for mine, p in zip(ids[:5], pages[:5], strict=True)
                }
                raise AssertionError(
                    f"{own} of {ids} not back to the mesh: {seen[own]}\n{links}\n"
                    + "\n".join(console_errors[-30:])
                ) from None
    finally:
        sfu.launch()  # for a rerun and the next test of the module, whatever happened here


def _classroom_works_through_the_sfu(
    t: Any, s: Any, teacher_id: str, student_id: str, meeting: Any, users: list[Any]
) -> None:
    """Chat, hands, media state, the teacher's mute, attendance and reconnect in SFU mode."""
    from classmeet.meetings.models import Attendance

    s.fill("#chat-input", "hello through the SFU")
    s.press("#chat-input", "Enter")
    t.locator("#chat-messages li", has_text="hello through the SFU").wait_for()
    s.click("#btn-hand")
    t.click("#tab-participants")  # the side panel opens on the Chat tab; it stays on this one
    t.locator(f"#participants li[data-peer='{student_id}'] .participant-hand").get_by_text(
        "1"
    ).wait_for()
    s.click("#btn-camera")
    t.wait_for_function(
        "id => document.querySelector(`.tile[data-peer='${id}']`)?.dataset.camera === 'off'",
        arg=student_id,
    )
    s.click("#btn-camera")
    t.locator(f"#participants li[data-peer='{student_id}'] .mute-peer").click()
    s.wait_for_function("() => document.getElementById('btn-mic').ariaPressed === 'true'")
    s.click("#btn-mic")  # unmute again
    open_rows = Attendance.objects.filter(meeting=meeting, left_at__isnull=True)
    assert set(open_rows.values_list("user_id", flat=True)) == {u.pk for u in users}

    # The student's socket drops: it comes back, publishes and subscribes anew, and both
    # sides decode each other through Janus again.
    link_s, link_t = state(s)["links"][teacher_id], state(t)["links"][student_id]
    s.evaluate("window.classmeetRoom.dropSocket()")
    s.wait_for_function(
        "() => window.classmeetRoom.states.slice(-2).join() === 'reconnecting,open'"
    )

    def again(page: Any, peer: str, old: float) -> bool:
        """A new link to `peer` carries its media: video where the grid plays it, else audio.

        The teacher's grid plays at most three student videos (the last speakers); the student
        muted a moment ago may be one whose video the grid pauses at Janus, so only audio flows.
        """
        current = state(page)
        if current["links"].get(peer, old) == old:
            return False
        video_off = page.evaluate(
            "id => document.querySelector(`.tile[data-peer='${id}']`)?.dataset.videoOff", peer
        )
        if video_off == "true":
            return bool(current["heard"][peer] > 0)
        return bool(current["decoded"][peer] > 0)

    wait_for(lambda: again(s, teacher_id, link_s), 60, "student decodes the teacher again")
    wait_for(lambda: again(t, student_id, link_t), 60, "teacher decodes the student again")


def _assert_expired_refused(credential: str, meeting_id: int) -> None:
    """An expired credential opens no session: no join, publish or subscribe can follow."""
    from django.conf import settings

    reply = httpx.post(
        settings.CLASSMEET_SFU_URL,
        json={"janus": "create", "transaction": "e", "token": credential},
    ).json()
    assert reply["janus"] == "error", reply
    assert reply["error"]["code"] == 403


def _in_thread(coroutine: Any) -> Any:
    """Run a coroutine in a thread of its own: Playwright's event loop runs in this one."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _participants(meeting_id: int) -> list[dict[str, Any]]:
    return list(_in_thread(rooms.sfu_participants(meeting_id=meeting_id)))


def _assert_refused(meeting_id: int, *, token: str | None, pin: str) -> None:
    """Join the Janus room directly, as a client holding a forged credential would."""
    from django.conf import settings

    url, secret = settings.CLASSMEET_SFU_URL, settings.CLASSMEET_SFU_API_SECRET
    session = httpx.post(url, json={"janus": "create", "transaction": "a", "apisecret": secret})
    session_id = session.json()["data"]["id"]
    handle = httpx.post(
        f"{url}/{session_id}",
        json={
            "janus": "attach",
            "plugin": "janus.plugin.videoroom",
            "transaction": "b",
            "apisecret": secret,
        },
    ).json()["data"]["id"]
    body: dict[str, Any] = {"request": "join", "ptype": "publisher", "room": meeting_id, "pin": pin}
    if token is not None:
        body["token"] = token
    httpx.post(
        f"{url}/{session_id}/{handle}",
        json={"janus": "message", "body": body, "transaction": "c", "apisecret": secret},
    )
    events = httpx.get(f"{url}/{session_id}", params={"apisecret": secret, "maxev": "5"}).json()
    events = events if isinstance(events, list) else [events]
    data = [e.get("plugindata", {}).get("data", {}) for e in events if e.get("transaction") == "c"]
    assert data, events
    assert data[0].get("error_code") == 433, data
    httpx.post(
        f"{url}/{session_id}", json={"janus": "destroy", "transaction": "d", "apisecret": secret}
    )


AUDIO_PACKETS_JS = """(peer) => {
  const sub = [...window.classmeetRoom.sfu().subscribers.values()].find((s) => s.peerId === peer);
  if (!sub?.pc) return -1;
  return sub.pc.getStats().then((stats) => {
    let packets = 0;
    stats.forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "audio") packets += r.packetsReceived || 0;
    });
    return packets;
  });
}"""


def test_janus_stops_forwarding_a_locked_students_audio(
    sfu: JanusProcess, new_page: Any, settings: Any, monkeypatch: Any
) -> None:
    """Locks (rooms/locks.py): the teacher locks the microphones; Janus itself stops forwarding
    the student's audio (VideoRoom `moderate`), and forwards it again once the student may speak."""
    monkeypatch.setattr(locks, "state", locks.LocksState())  # this test's own (see test_room_locks)
    settings.CLASSMEET_SFU_THRESHOLD = 2  # the teacher and one student: on Janus at once
    teacher = TeacherFactory.create(username="sfu_lock_t", first_name="Tina", last_name="Teach")
    student = StudentFactory.create(username="sfu_lock_s", first_name="Sam", last_name="Study")
    course = CourseFactory.create(teacher=teacher, title="Locked class")
    EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course, title="Quiet please")
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    sam = str(s.evaluate("() => window.classmeetRoom.peerId"))

    def growth() -> int:
        before = int(t.evaluate(AUDIO_PACKETS_JS, sam))
        time.sleep(1.0)  # a sampling window, not an assertion
        after = int(t.evaluate(AUDIO_PACKETS_JS, sam))
        return after - before if before >= 0 else -1

    wait_for(lambda: growth() > 10, 60, "the student's audio through Janus")
    t.click("#tab-participants")
    t.click("#locks-toolbar button[data-lock='mic']")
    s.wait_for_function("() => document.getElementById('btn-mic').disabled")
    # The student's page turns its own track back on: Janus forwards nothing all the same.
    s.evaluate(
        """() => { const pc = window.classmeetRoom.sfu().publisher;
          for (const sender of pc.getSenders()) if (sender.track) sender.track.enabled = true; }"""
    )
    wait_for(lambda: growth() == 0, 15, "Janus still forwards the locked audio")
    t.get_by_role("button", name="Allow Sam Study to speak").click()
    wait_for(lambda: growth() > 10, 15, "the allowed student's audio through Janus")
