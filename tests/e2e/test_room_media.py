"""The room's getUserMedia fallbacks and controls, in real Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_room_call import join, media_stats, room_url, wait_for_media

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Make getUserMedia fail the way a browser does: no camera, or permission refused.
NO_CAMERA_JS = """
(() => {
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (c) =>
    c && c.video ? Promise.reject(new DOMException("no camera", "NotFoundError")) : real(c);
})();
"""
DENIED_JS = """
navigator.mediaDevices.getUserMedia = () =>
  Promise.reject(new DOMException("denied", "NotAllowedError"));
"""


def join_with_script(new_page: Any, user: Any, meeting: Any, script: str) -> Any:
    page = new_page(user)
    page.add_init_script(script)
    page.goto(room_url(meeting), wait_until="domcontentloaded")
    page.wait_for_selector("#room[data-joined='true']", timeout=30_000)
    return page


def wait_for_audio_only(page: Any, timeout_ms: int = 20_000) -> None:
    """The page receives audio packets from its one peer (and no video frames exist to decode)."""
    deadline = timeout_ms / 200
    for _ in range(int(deadline)):
        stats = list(media_stats(page).values())
        if stats and stats[0]["state"] == "connected" and stats[0]["packets"] > 0:
            assert stats[0]["frames"] == 0
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"no audio arrived: {media_stats(page)}")


def test_no_camera_joins_with_audio_only(new_page, teacher, student, enrollment, live_meeting):
    teacher_page = join(new_page, teacher, live_meeting)
    student_page = join_with_script(new_page, student, live_meeting, NO_CAMERA_JS)

    assert student_page.locator("#room").get_attribute("data-media-mode") == "audio-only"
    assert "audio only" in student_page.locator("#media-banner").inner_text()
    assert student_page.locator("#btn-camera").is_disabled()
    wait_for_media(student_page, peers=1)  # it still sees and hears the teacher
    wait_for_audio_only(teacher_page)  # and the teacher hears it


def test_denied_permission_joins_receive_only_with_a_banner(
    new_page, teacher, student, enrollment, live_meeting
):
    teacher_page = join(new_page, teacher, live_meeting)
    student_page = join_with_script(new_page, student, live_meeting, DENIED_JS)

    assert student_page.locator("#room").get_attribute("data-media-mode") == "receive-only"
    banner = student_page.locator("#media-banner")
    assert banner.is_visible()
    assert "cannot see or hear you" in banner.inner_text()
    wait_for_media(student_page, peers=1)  # receives video and audio from the teacher
    stats = list(media_stats(teacher_page).values())
    assert stats
    assert stats[0]["state"] == "connected"
    assert stats[0]["frames"] == 0


def test_mute_and_camera_buttons_toggle_the_local_tracks(
    new_page, teacher, student, enrollment, live_meeting
):
    page = join(new_page, teacher, live_meeting)
    enabled = """kind => document.getElementById('local-video').srcObject
        .getTracks().filter(t => t.kind === kind).map(t => t.enabled)"""
    assert page.evaluate(enabled, "audio") == [True]
    page.click("#btn-mic")
    assert page.evaluate(enabled, "audio") == [False]
    assert page.locator("#btn-mic").get_attribute("aria-pressed") == "true"
    page.click("#btn-mic")
    assert page.evaluate(enabled, "audio") == [True]
    page.click("#btn-camera")
    assert page.evaluate(enabled, "video") == [False]
    assert page.locator("#btn-camera").get_attribute("aria-pressed") == "true"


def test_device_picker_lists_the_fake_devices(new_page, teacher, live_meeting):
    page = join(new_page, teacher, live_meeting)
    page.wait_for_function("() => document.querySelectorAll('#camera-select option').length > 0")
    assert page.locator("#mic-select option").count() > 0
    # Choosing a camera swaps the local track without leaving the call.
    page.click("#device-settings summary")
    value = page.locator("#camera-select option").first.get_attribute("value")
    page.select_option("#camera-select", value)
    page.wait_for_function(
        "() => document.getElementById('local-video').srcObject.getVideoTracks()[0].readyState === 'live'"
    )


# A screen "capture" the test controls: a canvas stream (headless Chromium has no screen picker).
FAKE_SCREEN_JS = """
navigator.mediaDevices.getDisplayMedia = async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 320;
  canvas.height = 240;
  const ctx = canvas.getContext("2d");
  setInterval(() => {
    ctx.fillStyle = `hsl(${Date.now() % 360}, 80%, 50%)`;
    ctx.fillRect(0, 0, 320, 240);
  }, 40);
  const stream = canvas.captureStream(25);
  window.__screenTrack = stream.getVideoTracks()[0];
  return stream;
};
"""
SENT_VIDEO_JS = """
() => [...window.classmeetRoom.connections().values()].map(pc =>
  pc.getSenders().find(s => s.track && s.track.kind === "video")?.track.id)
"""


def test_screen_share_replaces_the_camera_and_comes_back_when_it_ends(
    new_page, teacher, student, enrollment, live_meeting
):
    teacher_page = join_with_script(new_page, teacher, live_meeting, FAKE_SCREEN_JS)
    student_page = join(new_page, student, live_meeting)
    before = wait_for_media(student_page, peers=1)
    camera = teacher_page.evaluate(SENT_VIDEO_JS)
    offer_length = teacher_page.evaluate(
        "[...window.classmeetRoom.connections().values()][0].localDescription.sdp.length"
    )

    teacher_page.click("#btn-screen")
    teacher_page.wait_for_function("() => window.__screenTrack !== undefined")
    screen = teacher_page.evaluate("window.__screenTrack.id")
    teacher_page.wait_for_function(f"async () => (await ({SENT_VIDEO_JS})())[0] === {screen!r}")
    assert teacher_page.locator("#btn-screen").get_attribute("aria-pressed") == "true"
    # replaceTrack: same connection, no renegotiation, and the student keeps decoding.
    assert (
        teacher_page.evaluate(
            "[...window.classmeetRoom.connections().values()][0].localDescription.sdp.length"
        )
        == offer_length
    )
    wait_for_media(student_page, peers=1, baseline=before)

    # The browser ends the share (the user clicked "Stop sharing"): back to the camera.
    teacher_page.evaluate("window.__screenTrack.dispatchEvent(new Event('ended'))")
    teacher_page.wait_for_function(f"async () => (await ({SENT_VIDEO_JS})())[0] === {camera[0]!r}")
    assert teacher_page.locator("#btn-screen").get_attribute("aria-pressed") == "false"
