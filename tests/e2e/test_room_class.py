"""The classroom in real headless Chromium, through the real sign-in and room pages: chat (an XSS
payload stays inert), raised hands seen by the teacher, removing a student, ending for all,
media state and the TURN settings reaching the page."""

from __future__ import annotations

import pytest

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.models import Attendance, ChatMessage, Meeting, RoomRemoval
from classmeet.meetings.tests.factories import MeetingFactory
from tests.e2e.room import join, peer_id, room_url, wait_participants

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


@pytest.fixture
def cast():
    teacher = TeacherFactory.create(username="e2e_tina", first_name="Tina", last_name="Teach")
    student = StudentFactory.create(username="e2e_sam", first_name="Sam", last_name="Study")
    course = CourseFactory.create(teacher=teacher, title="Physics")
    EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course, title="Waves")
    return teacher, student, meeting


def test_chat_between_two_participants_keeps_an_xss_payload_inert(new_page, cast):
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    wait_participants(t, 2)
    s.fill("#chat-input", XSS)
    s.press("#chat-input", "Enter")
    for page in (t, s):
        line = page.locator("#chat-messages li").last
        line.wait_for()
        assert line.locator(".chat-text").text_content() == XSS
        assert line.locator(".chat-author").text_content() == "Sam Study"
        assert page.locator("#chat-messages img, #chat-messages script").count() == 0
        assert page.evaluate("() => window.__pwned") is None
    t.fill("#chat-input", "Welcome, Sam")
    t.click("#chat-send")
    s.locator("#chat-messages li", has_text="Welcome, Sam").wait_for()
    assert ChatMessage.objects.filter(meeting=meeting).count() == 2
    # A rejoin shows the chat so far.
    s.reload()
    s.wait_for_selector("#room[data-joined='true']")
    s.locator("#chat-messages li", has_text="Welcome, Sam").wait_for()
    assert s.locator("#chat-messages li").count() == 2
    # The teacher deletes the student's line for everyone.
    t.locator("#chat-messages li", has_text="onerror").locator(".chat-delete").click()
    s.wait_for_function("() => document.querySelectorAll('#chat-messages li').length === 1")
    assert ChatMessage.objects.get(text=XSS).deleted_by == teacher
    # Students have no delete buttons.
    assert s.locator(".chat-delete").count() == 0


def test_a_raised_hand_is_seen_by_the_teacher_who_lowers_it(new_page, cast):
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    wait_participants(t, 2)
    t.click("#tab-participants")  # the side panel opens on the Chat tab
    s.click("#btn-hand")
    student_item = t.locator(f"#participants li[data-peer='{peer_id(s)}']")
    student_item.locator(".participant-hand").get_by_text("1").wait_for()
    assert student_item.get_attribute("data-hand") == "1"
    # Raised hands are queued at the top of the panel, where the teacher lowers them.
    entry = t.locator(f"#hand-queue-list li[data-peer='{peer_id(s)}']")
    assert entry.locator(".hand-queue-name").text_content() == "Sam Study"
    assert s.get_attribute("#btn-hand", "aria-pressed") == "true"
    entry.locator(".lower-hand").click()
    s.wait_for_function("() => document.getElementById('btn-hand').ariaPressed === 'false'")
    t.wait_for_function(
        "id => document.querySelector(`#participants li[data-peer='${id}']`).dataset.hand === ''",
        arg=peer_id(s),
    )


def test_media_state_and_mute_request_reach_the_others(new_page, cast):
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    wait_participants(t, 2)
    s.click("#btn-camera")
    tile = t.locator(f"#video-grid .tile[data-peer='{peer_id(s)}']")
    t.wait_for_function(
        "id => document.querySelector(`.tile[data-peer='${id}']`)?.dataset.camera === 'off'",
        arg=peer_id(s),
    )
    assert tile.locator(".media-icons .bi-camera-video-off-fill").count() == 1
    # The teacher asks everyone to mute: the student's microphone goes off, they can unmute.
    assert s.get_attribute("#btn-mic", "aria-pressed") == "false"
    t.click("#btn-mute-all")
    s.wait_for_function("() => document.getElementById('btn-mic').ariaPressed === 'true'")
    assert s.locator("#mute-request-banner").is_visible()
    t.wait_for_function(
        "id => document.querySelector(`.tile[data-peer='${id}']`)?.dataset.mic === 'off'",
        arg=peer_id(s),
    )
    s.click("#btn-mic")
    t.wait_for_function(
        "id => document.querySelector(`.tile[data-peer='${id}']`)?.dataset.mic === 'on'",
        arg=peer_id(s),
    )
    # Students have no teacher controls.
    assert s.locator("#btn-mute-all, #btn-end-meeting, .remove-peer").count() == 0


def test_the_teacher_removes_a_student_who_sees_why_and_cannot_rejoin(new_page, cast):
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    wait_participants(t, 2)
    t.on("dialog", lambda dialog: dialog.accept())
    t.click("#tab-participants")  # the side panel opens on the Chat tab
    t.locator(f"#participants li[data-peer='{peer_id(s)}'] .remove-peer").click()
    s.wait_for_selector("#room-end:not([hidden])")
    assert s.locator("#room-end-title").inner_text() == "You were removed"
    assert "removed you from this class" in s.locator("#room-end-reason").inner_text()
    wait_participants(t, 1)
    assert t.locator("#video-grid .tile").count() == 1
    assert RoomRemoval.objects.filter(meeting=meeting, user=student).exists()
    assert set(
        Attendance.objects.filter(meeting=meeting, user=student).values_list("closed_by", flat=True)
    ) == {"removed"}
    # Coming back is refused, with the reason.
    response = s.goto(room_url(meeting))
    assert response.status == 403
    assert "removed you from this class" in s.locator("#room-closed-reason").text_content()


def test_the_teacher_ends_the_meeting_for_everyone(new_page, cast):
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    wait_participants(t, 2)
    t.on("dialog", lambda dialog: dialog.accept())
    t.click("#btn-end-meeting")
    for page in (t, s):
        page.wait_for_selector("#room-end:not([hidden])")
        assert page.locator("#room-end-title").inner_text() == "The class has ended"
        assert "ended this meeting" in page.locator("#room-end-reason").inner_text()
        assert not page.locator("#room").is_visible()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED
    late = new_page(student, sign_in="cookie")
    response = late.goto(room_url(meeting))
    assert response.status == 409
    assert late.locator("#room-closed-reason").text_content() == "This class has ended."


def test_the_active_speaker_is_highlighted_from_audio_levels(new_page, cast):
    """Chromium's fake microphone beeps: the student's tile lights up on the teacher's page."""
    teacher, student, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    wait_participants(t, 2)
    t.wait_for_function(
        "id => document.querySelector(`.tile[data-peer='${id}']`)?.classList.contains('speaking')",
        arg=peer_id(s),
        timeout=20_000,
    )
    assert t.locator("#video-grid .tile.speaking").count() == 1
    # Muted, the student sends silence: the highlight goes away.
    s.click("#btn-mic")
    t.wait_for_function(
        "id => !document.querySelector(`.tile[data-peer='${id}']`).classList.contains('speaking')",
        arg=peer_id(s),
        timeout=20_000,
    )
    for _ in range(12):  # and stays away (the fake microphone beeps about once a second)
        t.wait_for_timeout(250)
        assert t.locator(f".tile[data-peer='{peer_id(s)}'].speaking").count() == 0
