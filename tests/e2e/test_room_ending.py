"""The room ends for a page in real headless Chromium: every camera, microphone and screen track
the page got is stopped (`readyState` "ended") within 2 s, its peer connections are closed, and a
clear end screen replaces the room — after "End for everyone", a removal, Leave, a reconnect
refused for good (4409) and a reconnect that gives up. A recording running in the tab that leaves
is stopped by the tab with its last chunk.

An init script keeps every track that getUserMedia and getDisplayMedia return, and every
RTCPeerConnection, in window arrays, so that nothing the page holds escapes the check.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.recordings.models import Recording
from tests.e2e.room import join as join_room
from tests.e2e.room import peer_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

RELEASE_SECONDS = 2.0

KEEP_MEDIA_JS = """
(() => {
  window.__tracks = [];
  window.__pcs = [];
  const devices = navigator.mediaDevices;
  for (const name of ["getUserMedia", "getDisplayMedia"]) {
    const original = devices[name]?.bind(devices);
    if (!original) continue;
    devices[name] = async (...args) => {
      const stream = await original(...args);
      window.__tracks.push(...stream.getTracks());
      return stream;
    };
  }
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
})();
"""

TRACKS_JS = "() => window.__tracks.map(t => t.kind + ':' + t.label + ':' + t.readyState)"
ALL_RELEASED_JS = """() => window.__tracks.length > 0
  && window.__tracks.every(t => t.readyState === "ended")
  && window.__pcs.every(pc => pc.signalingState === "closed")"""
LIVE_TRACKS_JS = "() => window.__tracks.filter(t => t.readyState === 'live').length"
VIDEO_SOURCES_JS = "() => [...document.querySelectorAll('video')].filter(v => v.srcObject).length"


@pytest.fixture
def cast():
    teacher = TeacherFactory.create(username="e2e_tia", first_name="Tia", last_name="Teach")
    student = StudentFactory.create(username="e2e_stu", first_name="Stu", last_name="Dent")
    course = CourseFactory.create(teacher=teacher, title="Optics")
    EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course, title="Lenses")
    return teacher, student, meeting


def join(new_page: Any, user: Any, meeting: Any) -> Any:
    page = join_room(new_page, user, meeting, init_script=KEEP_MEDIA_JS)
    page.wait_for_function("() => window.__tracks.length >= 2")  # camera and microphone
    return page


def connected(page: Any, peers: int) -> None:
    page.wait_for_function(
        """n => [...window.classmeetRoom.connections().values()]
            .filter(pc => pc.connectionState === "connected").length === n""",
        arg=peers,
        timeout=30_000,
    )


def share_screen(page: Any) -> None:
    """Share the screen (Chromium's fake capture, accepted by --use-fake-ui-for-media-stream)."""
    page.click("#btn-screen")
    page.wait_for_function(
        "() => window.__tracks.some(t => t.label.startsWith('screen') && t.readyState === 'live')"
    )
    assert page.locator("#btn-screen").get_attribute("aria-pressed") == "true"


def switch_camera(page: Any) -> None:
    """Pick a camera in the device picker: a new getUserMedia track replaces the first one."""
    before = page.evaluate("() => window.__tracks.length")
    page.click("#device-settings summary")
    value = page.locator("#camera-select option").first.get_attribute("value")
    page.select_option("#camera-select", value)
    page.wait_for_function("n => window.__tracks.length > n", arg=before)


def assert_released(page: Any, deadline: float) -> None:
    """Every track the page got is ended, and every peer connection closed, by the deadline."""
    left_ms = max(1.0, (deadline - time.monotonic()) * 1000)
    try:
        page.wait_for_function(ALL_RELEASED_JS, timeout=left_ms)
    except Exception as exc:  # show which track stayed live
        raise AssertionError(f"still live: {page.evaluate(TRACKS_JS)}") from exc


def assert_end_screen(page: Any, title: str, *, rejoin: bool) -> None:
    screen = page.locator("#room-end")
    screen.wait_for(state="visible", timeout=2_000)
    assert page.locator("#room-end-title").inner_text() == title
    assert page.locator("#btn-rejoin").is_visible() is rejoin
    assert page.locator("#room-end-back").is_visible()
    # Nothing of the room stays usable: stage, controls, chat, banners, self-view.
    for selector in ("#room", "#btn-leave", "#btn-mic", "#chat-input", "#video-grid"):
        assert not page.locator(selector).is_visible(), selector
    assert page.evaluate(VIDEO_SOURCES_JS) == 0


def test_end_for_everyone_releases_every_track_on_both_pages(new_page, cast):
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    connected(t, 1)
    connected(s, 1)
    # The teacher holds more than the first camera: a device switched to and a screen share.
    switch_camera(t)
    share_screen(t)
    assert t.evaluate(LIVE_TRACKS_JS) == 3  # microphone, the new camera, the screen

    t.on("dialog", lambda dialog: dialog.accept())
    t.click("#btn-end-meeting")
    deadline = time.monotonic() + RELEASE_SECONDS
    for page in (t, s):
        assert_released(page, deadline)
    for page in (t, s):
        assert_end_screen(page, "The class has ended", rejoin=False)
        assert (
            page.locator("#room-end-back").get_attribute("href")
            == meeting.course.get_absolute_url()
        )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED


def test_a_removed_student_releases_every_track_and_sees_why(new_page, cast):
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    connected(t, 1)
    share_screen(s)

    t.on("dialog", lambda dialog: dialog.accept())
    t.click("#tab-participants")  # the side panel opens on the Chat tab
    t.locator(f"#participants li[data-peer='{peer_id(s)}'] .remove-peer").click()
    assert_released(s, time.monotonic() + RELEASE_SECONDS)
    assert_end_screen(s, "You were removed", rejoin=False)
    assert "removed you from this class" in s.locator("#room-end-reason").inner_text()
    # The teacher stays in the class with a live camera and microphone.
    t.wait_for_function("() => document.querySelectorAll('#video-grid .tile').length === 1")
    assert t.evaluate(LIVE_TRACKS_JS) == 2
    assert t.locator("#room").is_visible()


def test_leave_releases_every_track_and_offers_to_rejoin(new_page, cast):
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    connected(t, 1)

    s.click("#btn-leave")
    assert_released(s, time.monotonic() + RELEASE_SECONDS)
    assert_end_screen(s, "You left", rejoin=True)
    assert s.locator("#room-end-back").get_attribute("href") == meeting.course.get_absolute_url()
    # The teacher sees the student go at once (`leave` was sent), and keeps their media.
    t.wait_for_function(
        "() => !document.querySelector('#video-grid .tile:not([data-peer=\"local\"])')",
        timeout=5_000,
    )
    assert t.evaluate(LIVE_TRACKS_JS) == 2

    # Rejoin: the room page again, a fresh camera and microphone, connected to the teacher.
    s.click("#btn-rejoin")
    s.wait_for_selector("#room[data-joined='true']")
    s.wait_for_function("() => window.__tracks.filter(t => t.readyState === 'live').length === 2")
    connected(s, 1)
    assert not s.locator("#room-end").is_visible()


def test_leave_while_recording_uploads_the_last_chunk_and_stops_it(
    new_page, cast, settings, tmp_path
):
    """The teacher leaves while the tab records: the tracks go at once, and the recording is
    stopped by the tab after its last (partial) chunk, not cut by the server at the `leave`."""
    settings.CLASSMEET_RECORDINGS_ROOT = tmp_path / "recordings"
    settings.CLASSMEET_RECORDINGS_QUOTA_BYTES = 0
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    join(new_page, student, meeting)
    connected(t, 1)
    t.click("#btn-record")
    t.wait_for_selector("#btn-record[aria-pressed='true']", timeout=30_000)
    # Just after a chunk went up, well before the next 2 s slice: a part-chunk is pending.
    t.wait_for_function("() => window.classmeetRecorder.uploaded >= 2", timeout=30_000)
    uploaded = t.evaluate("() => window.classmeetRecorder.uploaded")
    t.wait_for_function("n => window.classmeetRecorder.uploaded > n", arg=uploaded)
    time.sleep(0.8)
    before = t.evaluate(
        "() => { const n = window.classmeetRecorder.uploaded;"
        " document.getElementById('btn-leave').click(); return n; }"
    )
    assert_released(t, time.monotonic() + RELEASE_SECONDS)
    assert_end_screen(t, "You left", rejoin=True)

    recording = Recording.objects.get(meeting=meeting)
    deadline = time.monotonic() + 90
    while not Recording.objects.get(pk=recording.pk).is_final:
        assert time.monotonic() < deadline, "the recording was not processed"
        time.sleep(0.25)
    recording.refresh_from_db()
    assert recording.status == Recording.Status.READY, recording.failure_reason
    assert recording.next_seq == before + 1  # the part-chunk recorded before Leave is in


def test_a_reconnect_refused_for_good_releases_every_track(new_page, cast):
    """The meeting ended while the socket was down: the reconnect is refused with 4409."""
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    connected(s, 1)
    share_screen(s)

    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.ENDED)
    s.evaluate("() => window.classmeetRoom.dropSocket()")
    s.wait_for_selector("#room[data-refused='not-open']", state="attached", timeout=10_000)
    assert_released(s, time.monotonic() + RELEASE_SECONDS)
    assert_end_screen(s, "This class is not open", rejoin=False)
    assert t.evaluate(LIVE_TRACKS_JS) == 2  # the teacher's socket is still open


def test_a_reconnect_that_gives_up_releases_every_track(new_page, cast, settings):
    """Every reconnect fails (the server is unreachable): after the give-up time, the end."""
    settings.CLASSMEET_ROOM_RECONNECT_GIVE_UP_SECONDS = 2
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    connected(s, 1)

    # From now on every socket the page opens is closed at once, as by a server that is down.
    s.route_web_socket("**/ws/meeting/**", lambda ws: ws.close(code=1011, reason="down"))
    s.evaluate("() => window.classmeetRoom.dropSocket()")
    s.wait_for_function("() => window.classmeetRoom.state === 'reconnecting'")
    assert s.evaluate(LIVE_TRACKS_JS) == 2  # reconnecting keeps the call's media
    s.wait_for_function("() => window.classmeetRoom.state === 'failed'", timeout=15_000)
    assert_released(s, time.monotonic() + RELEASE_SECONDS)
    assert_end_screen(s, "The connection to the class was lost", rejoin=True)
    assert t.evaluate(LIVE_TRACKS_JS) == 2
