"""Live room calls in real headless Chromium (fake camera and microphone), through the real
sign-in and room pages: media must be decoded both ways, in a 2-party call and a 4-party mesh."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.urls import reverse

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Per remote peer: connection state, video frames decoded and audio packets received.
STATS_JS = """
async () => {
  const out = {};
  const room = window.classmeetRoom;
  if (!room) return out;
  for (const [peerId, pc] of room.connections()) {
    const stats = await pc.getStats();
    let frames = 0, packets = 0;
    stats.forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
      if (r.type === "inbound-rtp" && r.kind === "audio") packets += r.packetsReceived || 0;
    });
    out[peerId] = { state: pc.connectionState, frames, packets };
  }
  return out;
}
"""


# Record whether the "Reconnecting…" banner was ever shown (it may only last a few ms).
BANNER_WATCH_JS = """
() => {
  const banner = document.getElementById("reconnect-banner");
  window.__bannerShown = false;
  new MutationObserver(() => {
    if (!banner.classList.contains("d-none")) window.__bannerShown = true;
  }).observe(banner, { attributes: true });
}
"""


def room_url(meeting: Any) -> str:
    return reverse("rooms:room", kwargs={"meeting_id": meeting.pk})


def join(new_page: Any, user: Any, meeting: Any, *, sign_in: str = "form") -> Any:
    page = new_page(user, sign_in=sign_in)
    # Not "load": remote <video> elements delay the load event until their media flows.
    page.goto(room_url(meeting), wait_until="domcontentloaded")
    page.wait_for_selector("#room[data-joined='true']", timeout=30_000)
    return page


def media_stats(page: Any) -> dict[str, dict[str, Any]]:
    stats: dict[str, dict[str, Any]] = page.evaluate(STATS_JS)
    return stats


def flowing(stats: dict[str, Any]) -> bool:
    return bool(stats["state"] == "connected" and stats["frames"] > 0 and stats["packets"] > 0)


def wait_for_media(
    page: Any, *, peers: int, timeout: float = 30.0, baseline: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Wait until the page decodes video and receives audio from `peers` remote peers.

    With a baseline, frames must also have grown past it (media flows *again*).
    """
    deadline = time.monotonic() + timeout
    stats: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline:
        stats = media_stats(page)
        good = [
            peer_id
            for peer_id, s in stats.items()
            if flowing(s) and (baseline is None or s["frames"] > baseline[peer_id]["frames"])
        ]
        if len(stats) == peers and len(good) == peers:
            return stats
        page.wait_for_timeout(200)
    raise AssertionError(f"media did not flow to {peers} peers: {stats}")


def remote_tiles(page: Any) -> list[str]:
    tiles: list[str] = page.eval_on_selector_all(
        "#video-grid .tile:not([data-peer='local'])", "tiles => tiles.map(t => t.dataset.peer)"
    )
    return tiles


def test_teacher_and_student_decode_each_other(
    new_page, teacher, student, enrollment, live_meeting
):
    teacher_page = join(new_page, teacher, live_meeting)
    student_page = new_page(student, sign_in="form")
    sockets: list[str] = []
    student_page.on("websocket", lambda socket: sockets.append(socket.url))
    student_page.goto(room_url(live_meeting), wait_until="domcontentloaded")
    student_page.wait_for_selector("#room[data-joined='true']", timeout=30_000)

    student_stats = wait_for_media(student_page, peers=1)
    # One room socket: the one early.js opened while the page loaded, joined by its URL and
    # adopted by the page's signaling (no second socket, no second participant).
    assert [url.split("/ws/")[1] for url in sockets if "/ws/meeting/" in url] == [
        f"meeting/{live_meeting.pk}/?join=1"
    ]
    teacher_stats = wait_for_media(teacher_page, peers=1)

    teacher_peer = teacher_page.evaluate("window.classmeetRoom.peerId")
    student_peer = student_page.evaluate("window.classmeetRoom.peerId")
    assert list(student_stats) == [teacher_peer]
    assert list(teacher_stats) == [student_peer]
    # Each sees the other's name on the tile and in the participant list.
    assert student_page.locator(f".tile[data-peer='{teacher_peer}'] .tile-name").inner_text() == (
        "Tina Teach"
    )
    assert teacher_page.locator("#participants").inner_text().count("Sam Study") == 1


def test_four_participants_form_a_full_mesh(new_page, teacher, course, live_meeting):
    students = [StudentFactory.create() for _ in range(3)]
    for s in students:
        EnrollmentFactory.create(course=course, student=s)
    # The teacher signs in through the form; the students by session cookie (lighter on a
    # loaded machine, same room page and socket).
    pages = [join(new_page, teacher, live_meeting)]
    pages += [join(new_page, user, live_meeting, sign_in="cookie") for user in students]

    ids = [page.evaluate("window.classmeetRoom.peerId") for page in pages]
    for page, own in zip(pages, ids, strict=True):
        stats = wait_for_media(page, peers=3, timeout=60)
        assert set(stats) == set(ids) - {own}
        assert len(remote_tiles(page)) == 3
        assert page.locator("#video-grid").get_attribute("data-count") == "4"


def test_leavers_tile_disappears(new_page, teacher, student, enrollment, live_meeting):
    teacher_page = join(new_page, teacher, live_meeting)
    student_page = join(new_page, student, live_meeting)
    wait_for_media(teacher_page, peers=1)
    student_peer = student_page.evaluate("window.classmeetRoom.peerId")
    assert remote_tiles(teacher_page) == [student_peer]

    student_page.click("#btn-leave")
    student_page.wait_for_selector("#room-end:not([hidden])")

    teacher_page.wait_for_function(
        "() => !document.querySelector('#video-grid .tile:not([data-peer=\"local\"])')"
    )
    assert teacher_page.evaluate("window.classmeetRoom.connections().size") == 0
    assert "Sam Study" not in teacher_page.locator("#participants").inner_text()


def test_dropped_socket_reconnects_and_media_flows_again(
    new_page, teacher, student, enrollment, live_meeting
):
    teacher_page = join(new_page, teacher, live_meeting)
    student_page = join(new_page, student, live_meeting)
    wait_for_media(student_page, peers=1)
    before = wait_for_media(teacher_page, peers=1)
    student_peer = student_page.evaluate("window.classmeetRoom.peerId")

    student_page.evaluate(BANNER_WATCH_JS)
    student_page.evaluate("window.classmeetRoom.dropSocket()")
    # The banner showed while the socket was down, and went away once it was back.
    student_page.wait_for_function(
        "() => window.classmeetRoom.states.slice(-2).join() === 'reconnecting,open'"
    )
    student_page.wait_for_selector("#reconnect-banner.d-none", state="attached")
    assert student_page.evaluate("window.__bannerShown") is True

    # Same peer, not a duplicate: the teacher still sees exactly one remote participant.
    assert student_page.evaluate("window.classmeetRoom.peerId") == student_peer
    assert student_page.evaluate("window.classmeetRoom.state") == "open"
    wait_for_media(teacher_page, peers=1, baseline=before)
    wait_for_media(student_page, peers=1)
    assert remote_tiles(teacher_page) == [student_peer]
    # And signaling works again: the new socket relays to a newcomer.
    other = StudentFactory.create(first_name="Nia", last_name="New")
    EnrollmentFactory.create(course=live_meeting.course, student=other)
    newcomer = join(new_page, other, live_meeting)
    wait_for_media(newcomer, peers=2)
    wait_for_media(student_page, peers=2)


def test_outsider_is_refused(new_page, outsider, teacher, live_meeting):
    page = new_page(outsider)
    response = page.goto(room_url(live_meeting))
    assert response is not None
    assert response.status == 404
    assert page.locator("#room").count() == 0


def test_name_with_xss_payload_stays_inert(new_page, teacher, course, live_meeting):
    payload = '<img src=x onerror="window.__pwned=1">'
    attacker: Any = StudentFactory.create(
        first_name=payload, last_name="<script>window.__pwned=2</script>"
    )
    EnrollmentFactory.create(course=course, student=attacker)
    teacher_page = join(new_page, teacher, live_meeting)
    attacker_page = join(new_page, attacker, live_meeting)
    wait_for_media(teacher_page, peers=1)
    attacker_peer = attacker_page.evaluate("window.classmeetRoom.peerId")

    name = teacher_page.locator(f".tile[data-peer='{attacker_peer}'] .tile-name")
    assert name.inner_text() == attacker.display_name  # shown as text
    assert teacher_page.locator("#room img, #room script").count() == 0
    assert teacher_page.evaluate("window.__pwned") is None
