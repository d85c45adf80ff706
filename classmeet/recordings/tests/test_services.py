"""Recording services: start, chunks, stop → processing with ffmpeg, quota, retries, expiry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from classmeet.notifications.models import Notification
from classmeet.recordings.models import Recording
from classmeet.recordings.services import capture, files, housekeeping, processing
from classmeet.recordings.services.capture import RecordingError
from classmeet.recordings.tests.conftest import SAMPLE_SECONDS, make_recording, upload

pytestmark = pytest.mark.django_db


def _files(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_start_refused_when_nobody_publishes(live_meeting, teacher, recordings_root):
    with pytest.raises(RecordingError) as exc:
        capture.recording_start(meeting=live_meeting, user=teacher, video_tracks=0, audio_tracks=0)
    assert exc.value.code == "nobody-publishing"
    assert "nobody is publishing" in exc.value.message
    assert not Recording.objects.exists()


def test_start_once_per_meeting(live_meeting, teacher, other_teacher, recordings_root):
    first = capture.recording_start(
        meeting=live_meeting, user=teacher, video_tracks=1, audio_tracks=0
    )
    with pytest.raises(RecordingError) as exc:
        capture.recording_start(
            meeting=live_meeting, user=other_teacher, video_tracks=1, audio_tracks=1
        )
    assert exc.value.code == "already-recording"
    # The same teacher starting again (their recording tab reloaded): the old one is stopped.
    second = capture.recording_start(
        meeting=live_meeting, user=teacher, video_tracks=1, audio_tracks=1
    )
    first.refresh_from_db()
    assert first.status == Recording.Status.FAILED  # it had uploaded nothing
    assert second.status == Recording.Status.RECORDING
    assert Recording.objects.filter(status=Recording.Status.RECORDING).count() == 1


def test_chunks_append_in_order_and_are_idempotent(live_meeting, teacher, recordings_root):
    recording = make_recording(live_meeting, teacher)
    capture.recording_chunk_append(recording_id=recording.pk, seq=0, data=b"aaaa")
    again = capture.recording_chunk_append(recording_id=recording.pk, seq=0, data=b"aaaa")
    assert again.duplicate
    with pytest.raises(RecordingError) as exc:
        capture.recording_chunk_append(recording_id=recording.pk, seq=2, data=b"cc")
    assert exc.value.code == "out-of-order"
    capture.recording_chunk_append(recording_id=recording.pk, seq=1, data=b"bb")
    recording.refresh_from_db()
    assert (recording.next_seq, recording.bytes_received) == (2, 6)
    assert files.part_path(recording).read_bytes() == b"aaaabb"


def test_a_torn_write_is_overwritten_by_the_retry(live_meeting, teacher, recordings_root):
    """A crash after writing but before committing leaves extra bytes: the retry replaces them."""
    recording = make_recording(live_meeting, teacher)
    capture.recording_chunk_append(recording_id=recording.pk, seq=0, data=b"good")
    with open(files.part_path(recording), "ab") as fh:
        fh.write(b"half-written-junk")
    capture.recording_chunk_append(recording_id=recording.pk, seq=1, data=b"next")
    assert files.part_path(recording).read_bytes() == b"goodnext"


def test_chunk_size_limit(live_meeting, teacher, recordings_root, settings):
    settings.CLASSMEET_RECORDINGS_CHUNK_MAX_BYTES = 10
    recording = make_recording(live_meeting, teacher)
    with pytest.raises(RecordingError) as exc:
        capture.recording_chunk_append(recording_id=recording.pk, seq=0, data=b"x" * 11)
    assert exc.value.status == 413


def test_quota_exceeded_fails_clearly_and_refuses_more(
    live_meeting, teacher, recordings_root, settings, django_capture_on_commit_callbacks
):
    settings.CLASSMEET_RECORDINGS_QUOTA_BYTES = 10
    recording = make_recording(live_meeting, teacher)
    capture.recording_chunk_append(recording_id=recording.pk, seq=0, data=b"x" * 8)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RecordingError) as exc:
        capture.recording_chunk_append(recording_id=recording.pk, seq=1, data=b"x" * 8)
    assert exc.value.code == "quota-exceeded"
    assert exc.value.status == 507
    recording.refresh_from_db()
    assert recording.status == Recording.Status.FAILED
    assert "quota" in recording.failure_reason
    assert not files.part_path(recording).exists()
    with pytest.raises(RecordingError) as again:
        capture.recording_chunk_append(recording_id=recording.pk, seq=2, data=b"x")
    assert again.value.code == "not-recording"
    # And a new recording is refused while the quota is still full.
    make_recording(live_meeting, teacher, status=Recording.Status.READY, size_bytes=10)
    with pytest.raises(RecordingError) as start:
        capture.recording_start(meeting=live_meeting, user=teacher, video_tracks=1, audio_tracks=1)
    assert start.value.code == "quota-exceeded"


def test_stop_processes_into_one_seekable_file_and_notifies(
    live_meeting,
    teacher,
    student,
    enrollment,
    recordings_root,
    sample_webm,
    django_capture_on_commit_callbacks,
):
    recording = capture.recording_start(
        meeting=live_meeting, user=teacher, video_tracks=1, audio_tracks=1
    )
    upload(recording, sample_webm)
    with django_capture_on_commit_callbacks(execute=True):  # Celery is eager in tests
        capture.recording_stop(recording=recording)
    recording.refresh_from_db()
    assert recording.status == Recording.Status.READY, recording.failure_reason
    path = files.file_path(recording)
    assert path is not None
    assert path.is_file()
    duration, kinds = processing.probe_summary(path)
    assert sorted(kinds) == ["audio", "video"]
    assert abs(duration - SAMPLE_SECONDS) < 0.5
    assert recording.duration_seconds == pytest.approx(duration)
    assert recording.size_bytes == path.stat().st_size
    assert recording.progress == 100
    assert _files(recordings_root) == [f"recording-{recording.pk}.webm"]
    note = Notification.objects.get(recipient=student)
    assert note.kind == Notification.Kind.RECORDING_READY
    assert str(live_meeting.pk) in note.url


def test_processing_again_is_a_no_op(ready_recording, recordings_root, student, enrollment):
    before = _files(recordings_root)
    again = processing.recording_process(recording_id=ready_recording.pk)
    assert again.status == Recording.Status.READY
    assert _files(recordings_root) == before == [f"recording-{ready_recording.pk}.webm"]


class WorkerKilled(BaseException):
    """Stands for the worker dying: not an Exception, so nothing in the service catches it."""


def test_job_killed_mid_way_is_retried_without_duplicates(
    client,
    live_meeting,
    teacher,
    student,
    enrollment,
    recordings_root,
    sample_webm,
    settings,
    django_capture_on_commit_callbacks,
):
    recording = upload(make_recording(live_meeting, teacher), sample_webm)
    Recording.objects.filter(pk=recording.pk).update(
        status=Recording.Status.QUEUED,
        stopped_at=recording.started_at + timedelta(seconds=SAMPLE_SECONDS),
    )

    def die(percent: int) -> None:
        raise WorkerKilled

    with pytest.raises(WorkerKilled):
        processing.recording_process(recording_id=recording.pk, on_progress=die)
    recording.refresh_from_db()
    assert recording.status == Recording.Status.PROCESSING
    # Nothing half-written is served meanwhile: not to the student, not to the teacher.
    client.force_login(teacher)
    assert client.get(f"/recordings/{recording.pk}/file/").status_code == 404
    # The housekeeping beat task queues a job stuck in "processing" again (its heartbeat went
    # silent); it completes.
    settings.CLASSMEET_RECORDINGS_STALE_SECONDS = 0
    settings.CLASSMEET_RECORDINGS_HEARTBEAT_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        counts = housekeeping.recordings_housekeeping()
    assert counts["requeued"] == 1
    recording.refresh_from_db()
    assert recording.status == Recording.Status.READY, recording.failure_reason
    assert _files(recordings_root) == [f"recording-{recording.pk}.webm"]
    assert Notification.objects.filter(recipient=student).count() == 1
    response = client.get(f"/recordings/{recording.pk}/file/")
    assert response.status_code == 200


def test_garbage_upload_fails_with_a_reason(live_meeting, teacher, recordings_root):
    recording = upload(make_recording(live_meeting, teacher), b"not a video at all" * 100)
    Recording.objects.filter(pk=recording.pk).update(status=Recording.Status.QUEUED)
    result = processing.recording_process(recording_id=recording.pk)
    assert result.status == Recording.Status.FAILED
    assert result.failure_reason.startswith("The recording could not be processed")
    assert files.file_path(result) is None
    assert not list(recordings_root.rglob("*.tmp"))


def test_stop_without_data_fails(live_meeting, teacher, recordings_root):
    recording = make_recording(live_meeting, teacher)
    stopped = capture.recording_stop(recording=recording)
    assert stopped.status == Recording.Status.FAILED
    assert "Nothing was recorded" in stopped.failure_reason


def test_teacher_leaving_stops_their_recording(
    live_meeting, teacher, recordings_root, django_capture_on_commit_callbacks
):
    recording = make_recording(live_meeting, teacher)
    capture.recording_chunk_append(recording_id=recording.pk, seq=0, data=b"data")
    assert capture.recordings_stop_for_user(meeting_id=live_meeting.pk, user_id=teacher.pk) == 1
    recording.refresh_from_db()
    assert recording.status in (Recording.Status.QUEUED, Recording.Status.FAILED)
    assert recording.stopped_at is not None


def test_housekeeping_expires_old_recordings_and_stops_abandoned_ones(
    ready_recording, live_meeting, teacher, settings, django_capture_on_commit_callbacks
):
    path = files.file_path(ready_recording)
    assert path is not None
    assert path.exists()
    Recording.objects.filter(pk=ready_recording.pk).update(
        started_at=timezone.now() - timedelta(days=31)
    )
    settings.CLASSMEET_RECORDINGS_RETENTION_DAYS = 30
    abandoned = make_recording(live_meeting, teacher)
    Recording.objects.filter(pk=abandoned.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        counts = housekeeping.recordings_housekeeping()
    assert counts["expired"] == 1
    assert counts["stopped"] == 1
    assert not Recording.objects.filter(pk=ready_recording.pk).exists()
    assert not path.exists()
    abandoned.refresh_from_db()
    assert abandoned.status == Recording.Status.FAILED  # nothing had been uploaded


def test_rename_and_delete(ready_recording):
    housekeeping.recording_rename(recording=ready_recording, title="  Lecture 1 ")
    assert Recording.objects.get(pk=ready_recording.pk).title == "Lecture 1"
    path = files.file_path(ready_recording)
    housekeeping.recording_delete(recording=ready_recording)
    assert path is not None
    assert not path.exists()
    assert not Recording.objects.exists()
