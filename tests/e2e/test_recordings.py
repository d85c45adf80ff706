"""Recording a class in real headless Chromium (fake camera and microphone): the teacher records
~10 s with a student in the room, stops, the job makes one file (Celery runs eagerly in tests),
ffprobe finds a video and an audio stream of the right length; the enrolled student downloads it
(whole and by range), an outsider gets 404."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.recordings.models import Recording
from classmeet.recordings.services import files, processing

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

RECORD_SECONDS = 10


@pytest.fixture
def cast(settings: Any, tmp_path: Path) -> tuple[Any, Any, Any, Any]:
    settings.CLASSMEET_RECORDINGS_ROOT = tmp_path / "recordings"
    settings.CLASSMEET_RECORDINGS_QUOTA_BYTES = 0
    teacher = TeacherFactory.create(username="rec_tina", first_name="Tina", last_name="Teach")
    student = StudentFactory.create(username="rec_sam", first_name="Sam", last_name="Study")
    outsider = StudentFactory.create(username="rec_olga")
    course = CourseFactory.create(teacher=teacher, title="Physics")
    EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course, title="Waves")
    return teacher, student, outsider, meeting


def join(new_page: Any, user: Any, meeting: Any) -> Any:
    page = new_page(user, sign_in="cookie")
    page.set_default_timeout(30_000)  # a loaded CI machine
    page.goto(reverse("rooms:room", kwargs={"meeting_id": meeting.pk}))
    page.wait_for_selector("#room[data-joined='true']")
    return page


def wait_for(predicate: Any, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.25)


def test_record_a_class_and_download_it(new_page, cast):
    teacher, student, outsider, meeting = cast
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    # The student's audio reaches the teacher (so the mix has a remote track to record).
    t.wait_for_function(
        """() => [...document.querySelectorAll('#video-grid video')].some(v => v.id !== 'local-video'
            && v.srcObject && v.srcObject.getAudioTracks().length > 0)""",
        timeout=30_000,
    )
    assert s.locator("#btn-record").count() == 0  # only the teacher has the button

    t.click("#btn-record")
    started = time.monotonic()
    t.wait_for_selector("#btn-record[aria-pressed='true']")
    s.wait_for_selector("#recording-indicator:not(.d-none)")  # everybody sees the indicator
    # Somebody joining during the recording is told on join.
    s.reload()
    s.wait_for_selector("#room[data-joined='true']")
    s.wait_for_selector("#recording-indicator:not(.d-none)")
    assert "recorded" in s.locator("#recording-notice").text_content()

    time.sleep(max(0.0, RECORD_SECONDS - (time.monotonic() - started)))
    t.click("#btn-record")
    span = time.monotonic() - started
    t.wait_for_selector("#btn-record[aria-pressed='false']:not([disabled])", timeout=60_000)
    s.wait_for_selector("#recording-indicator.d-none", state="attached")

    recording = Recording.objects.get(meeting=meeting)
    wait_for(lambda: Recording.objects.get(pk=recording.pk).is_final)
    recording.refresh_from_db()
    assert recording.status == Recording.Status.READY, recording.failure_reason
    assert recording.next_seq >= 4  # uploaded in ~2 s chunks
    path = files.file_path(recording)
    assert path is not None
    duration, kinds = processing.probe_summary(path)
    assert "video" in kinds
    assert "audio" in kinds
    assert abs(duration - span) <= 2.0, (duration, span)
    assert not list(path.parent.glob("*.part"))
    assert not list(path.parent.glob("*.tmp"))

    assert_served_to_the_course_only(new_page, s, outsider, recording, path)


def assert_served_to_the_course_only(
    new_page: Any, student_page: Any, outsider: Any, recording: Any, path: Path
) -> None:
    """The enrolled student finds the recording on the meeting page and downloads it, whole
    and by range; an outsider gets the same 404 as for a recording that does not exist."""
    file_url = reverse("recordings:file", kwargs={"recording_id": recording.pk})
    s = student_page
    s.goto(reverse("meetings:meeting-detail", kwargs={"meeting_id": recording.meeting_id}))
    s.locator(".recording-row .recording-download").wait_for()
    whole = s.request.get(f"{file_url}?download=1")
    assert whole.status == 200
    assert "attachment" in whole.headers["content-disposition"]
    assert whole.body() == path.read_bytes()
    part = s.request.get(file_url, headers={"Range": "bytes=100-199"})
    assert part.status == 206
    assert part.headers["content-range"] == f"bytes 100-199/{recording.size_bytes}"
    assert part.body() == path.read_bytes()[100:200]
    assert new_page(outsider, sign_in="cookie").request.get(file_url).status == 404
