"""Recording views: ranges, permissions (404 for outsiders), owner-only rename/delete, the room's
start/chunk/stop endpoints, and the lists on the meeting and course pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.tests.factories import TeacherFactory
from classmeet.recordings.models import Recording
from classmeet.recordings.services import files
from classmeet.recordings.tests.conftest import make_recording

pytestmark = pytest.mark.django_db


def file_url(recording: Recording) -> str:
    return reverse("recordings:file", kwargs={"recording_id": recording.pk})


def content(response) -> bytes:
    return b"".join(response.streaming_content)


# The file: ranges -------------------------------------------------------------------------------


def test_whole_file_advertises_ranges(client, student, enrollment, ready_recording):
    client.force_login(student)
    response = client.get(file_url(ready_recording))
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/webm"
    assert response["Content-Disposition"].startswith("inline")
    path = files.file_path(ready_recording)
    assert path is not None
    assert content(response) == path.read_bytes()
    download = client.get(file_url(ready_recording) + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=1000-", 1000, None), ("bytes=-500", None, None)],
)
def test_range_requests_get_206(client, teacher, ready_recording, header, start, end):
    client.force_login(teacher)
    path = files.file_path(ready_recording)
    assert path is not None
    data = path.read_bytes()
    size = len(data)
    if start is None:
        start, end = size - 500, size - 1
    elif end is None:
        end = size - 1
    response = client.get(file_url(ready_recording), HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert response["Content-Length"] == str(end - start + 1)
    assert content(response) == data[start : end + 1]


def test_range_beyond_the_end_is_416(client, teacher, ready_recording):
    client.force_login(teacher)
    size = ready_recording.size_bytes
    response = client.get(file_url(ready_recording), HTTP_RANGE=f"bytes={size}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_malformed_range_serves_the_whole_file(client, teacher, ready_recording):
    client.force_login(teacher)
    response = client.get(file_url(ready_recording), HTTP_RANGE="bytes=a-b,3-4")
    assert response.status_code == 200


# Permissions ------------------------------------------------------------------------------------


def test_outsiders_get_404(client, outsider, other_teacher, ready_recording):
    for user in (outsider, other_teacher):
        client.force_login(user)
        for name in ("file", "status", "rename", "delete", "stop"):
            url = reverse(f"recordings:{name}", kwargs={"recording_id": ready_recording.pk})
            method = client.post if name == "stop" else client.get
            assert method(url).status_code == 404, (user, name)
    missing = reverse("recordings:file", kwargs={"recording_id": ready_recording.pk + 99})
    assert client.get(missing).status_code == 404


def test_students_see_only_finished_recordings(
    client, student, enrollment, live_meeting, teacher, recordings_root
):
    running = make_recording(live_meeting, teacher)
    client.force_login(student)
    assert client.get(file_url(running)).status_code == 404
    status = reverse("recordings:status", kwargs={"recording_id": running.pk})
    assert client.get(status).status_code == 404


def test_rename_by_owner_only(client, teacher, student, enrollment, ready_recording):
    url = reverse("recordings:rename", kwargs={"recording_id": ready_recording.pk})
    client.force_login(student)
    assert client.post(url, {"title": "Hacked"}).status_code == 403
    client.force_login(teacher)
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Week 1: waves", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "meetings:meeting-detail", kwargs={"meeting_id": ready_recording.meeting_id}
    )
    assert Recording.objects.get(pk=ready_recording.pk).title == "Week 1: waves"
    too_long = client.post(url, {"title": "x" * 201})
    assert too_long.status_code == 400


def test_delete_by_owner_only(client, teacher, student, enrollment, ready_recording):
    url = reverse("recordings:delete", kwargs={"recording_id": ready_recording.pk})
    path = files.file_path(ready_recording)
    assert path is not None
    client.force_login(student)
    assert client.post(url).status_code == 403
    assert path.exists()
    client.force_login(teacher)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not Recording.objects.filter(pk=ready_recording.pk).exists()
    assert not path.exists()


# Room endpoints -------------------------------------------------------------------------------


def test_start_chunk_stop_through_http(
    client, teacher, live_meeting, recordings_root, sample_webm, django_capture_on_commit_callbacks
):
    client.force_login(teacher)
    start = reverse("recordings:start", kwargs={"meeting_id": live_meeting.pk})
    refused = client.post(start, {"videoTracks": 0, "audioTracks": 0})
    assert refused.status_code == 409
    assert refused.json()["error"] == "nobody-publishing"
    assert client.post(start, {"videoTracks": "x"}).status_code == 400
    started = client.post(start, {"videoTracks": 1, "audioTracks": 2})
    assert started.status_code == 201
    info = started.json()
    body = sample_webm
    first = client.post(f"{info['chunkUrl']}0/", body, content_type="application/octet-stream")
    assert first.json() == {"seq": 0, "duplicate": False, "bytes": len(body)}
    again = client.post(f"{info['chunkUrl']}0/", body, content_type="application/octet-stream")
    assert again.json()["duplicate"] is True
    gap = client.post(f"{info['chunkUrl']}5/", b"x", content_type="application/octet-stream")
    assert gap.status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        stopped = client.post(info["stopUrl"])
    assert stopped.status_code == 200
    recording = Recording.objects.get(pk=info["id"])
    assert recording.status == Recording.Status.READY, recording.failure_reason
    status = client.get(reverse("recordings:status", kwargs={"recording_id": recording.pk}))
    assert status.json()["status"] == "ready"
    late = client.post(f"{info['chunkUrl']}1/", b"x", content_type="application/octet-stream")
    assert late.status_code == 409


def test_chunk_too_large_is_413(client, teacher, live_meeting, recordings_root, settings):
    settings.CLASSMEET_RECORDINGS_CHUNK_MAX_BYTES = 100
    recording = make_recording(live_meeting, teacher)
    client.force_login(teacher)
    url = reverse("recordings:chunk", kwargs={"recording_id": recording.pk, "seq": 0})
    response = client.post(url, b"x" * 101, content_type="application/octet-stream")
    assert response.status_code == 413
    assert response.json()["error"] == "too-large"


def test_only_the_recording_teacher_uploads(
    client, student, enrollment, live_meeting, teacher, recordings_root
):
    recording = make_recording(live_meeting, teacher)
    url = reverse("recordings:chunk", kwargs={"recording_id": recording.pk, "seq": 0})
    client.force_login(student)
    assert client.post(url, b"x", content_type="application/octet-stream").status_code == 403
    start = reverse("recordings:start", kwargs={"meeting_id": live_meeting.pk})
    assert client.post(start, {"videoTracks": 1, "audioTracks": 1}).status_code == 403


def test_start_refused_when_the_room_is_closed(client, course, teacher, recordings_root):
    from classmeet.meetings.models import Meeting
    from classmeet.meetings.tests.factories import MeetingFactory

    ended = MeetingFactory.create(course=course, status=Meeting.Status.ENDED)
    client.force_login(teacher)
    start = reverse("recordings:start", kwargs={"meeting_id": ended.pk})
    assert client.post(start, {"videoTracks": 1, "audioTracks": 1}).status_code == 403


# Lists --------------------------------------------------------------------------------------


def test_recording_and_course_card_times_carry_the_viewers_zone_label(
    client, student, enrollment, live_meeting, teacher
):
    """The recordings panel and the dashboard card's next meeting use the one time format."""
    from datetime import UTC, datetime, timedelta

    from classmeet.courses.tests.factories import CourseFactory
    from classmeet.meetings.tests.factories import MeetingFactory

    started = datetime(2030, 1, 15, 20, 56, tzinfo=UTC)
    failed = make_recording(live_meeting, teacher, status=Recording.Status.FAILED)
    Recording.objects.filter(pk=failed.pk).update(started_at=started)
    other = CourseFactory.create(teacher=teacher, title="Lenses")  # no live meeting: "Next:"
    MeetingFactory.create(course=other, starts_at=timezone.now() + timedelta(days=1))
    teacher.timezone = "America/New_York"
    teacher.save(update_fields=["timezone"])
    client.force_login(teacher)
    meeting_page = reverse("meetings:meeting-detail", kwargs={"meeting_id": live_meeting.pk})
    html = client.get(meeting_page).content.decode()
    assert '<time datetime="2030-01-15T20:56:00+00:00" title="America/New_York">' in html
    assert "Jan 15, 2030 15:56 EST</time>" in html
    dashboard = client.get(reverse("dashboard:dashboard")).content.decode()
    assert 'title="America/New_York">' in dashboard


def test_meeting_and_course_pages_list_recordings(
    client, teacher, student, enrollment, live_meeting, ready_recording
):
    failed = make_recording(
        live_meeting, teacher, status=Recording.Status.FAILED, failure_reason="Disk <full>"
    )
    meeting_page = reverse("meetings:meeting-detail", kwargs={"meeting_id": live_meeting.pk})
    course_page = reverse("courses:course-detail", kwargs={"course_id": live_meeting.course_id})
    client.force_login(student)
    for url in (meeting_page, course_page):
        html = client.get(url).content.decode()
        assert file_url(ready_recording) in html
        assert f'data-recording-id="{failed.pk}"' not in html
    client.force_login(teacher)
    html = client.get(meeting_page).content.decode()
    assert f'data-recording-id="{failed.pk}"' in html
    assert "Disk &lt;full&gt;" in html
    assert "recordings/js/status.js" not in html  # nothing is pending
    make_recording(live_meeting, TeacherFactory.create(), status=Recording.Status.PROCESSING)
    assert "recordings/js/status.js" in client.get(meeting_page).content.decode()


def test_course_page_lists_every_state_to_its_teacher_with_the_meetings(
    client, teacher, live_meeting, ready_recording
):
    """The course page's panel names each recording's meeting and links to it, at the same
    number of queries however many recordings there are."""
    live_meeting.title = "Algebra <live>"
    live_meeting.save()
    course_page = reverse("courses:course-detail", kwargs={"course_id": live_meeting.course_id})
    meeting_page = reverse("meetings:meeting-detail", kwargs={"meeting_id": live_meeting.pk})
    client.force_login(teacher)
    client.get(course_page)
    with CaptureQueriesContext(connection) as one:
        client.get(course_page)
    failed = make_recording(live_meeting, teacher, status=Recording.Status.FAILED)
    for _ in range(3):
        make_recording(live_meeting, teacher, status=Recording.Status.READY)
    with CaptureQueriesContext(connection) as five:
        html = client.get(course_page).content.decode()
    assert len(five) == len(one)
    assert f'data-recording-id="{failed.pk}"' in html
    assert f'data-recording-id="{ready_recording.pk}"' in html
    assert f'<a href="{meeting_page}">Algebra &lt;live&gt;</a>' in html
