"""Recordings: start, append uploaded chunks, stop, process with ffmpeg, rename, delete, expire.

Files (under settings.CLASSMEET_RECORDINGS_ROOT, never under a public URL):
  meeting-<m>/recording-<r>.part           the upload: chunks appended in sequence order
  meeting-<m>/recording-<r>.<token>.tmp    ffmpeg's output while it runs (never served)
  meeting-<m>/recording-<r>.webm           the result, renamed into place atomically
A processing job that is retried (worker killed, task redelivered) starts over from the part
file and writes the same final name, so there is never more than one file per recording, and a
half-written file is never the one the download view serves (it serves only status=ready).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.recordings.models import Recording

if TYPE_CHECKING:
    from classmeet.accounts.models import User
    from classmeet.meetings.models import Meeting
    from classmeet.rooms.protocol import RecordingState

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int], None]


class RecordingError(Exception):
    """A refused operation: `code` for clients, `message` for people, `status` for HTTP."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


# Paths -----------------------------------------------------------------------------------------


def recordings_root() -> Path:
    return Path(settings.CLASSMEET_RECORDINGS_ROOT)


def _dir(recording: Recording) -> Path:
    return recordings_root() / f"meeting-{recording.meeting_id}"


def part_path(recording: Recording) -> Path:
    return _dir(recording) / f"recording-{recording.pk}.part"


def final_name(recording: Recording) -> str:
    return f"meeting-{recording.meeting_id}/recording-{recording.pk}.webm"


def file_path(recording: Recording) -> Path | None:
    """The finished file, or None while it is not ready."""
    if not recording.is_ready:
        return None
    return recordings_root() / recording.file_name


def _temp_paths(recording: Recording) -> list[Path]:
    return sorted(_dir(recording).glob(f"recording-{recording.pk}.*.tmp"))


# Room broadcast --------------------------------------------------------------------------------


def _broadcast_state(recording: Recording, *, message: str = "") -> None:
    """Tell everybody in the meeting's room whether it is being recorded (after commit)."""
    from classmeet.rooms import protocol
    from classmeet.rooms.consumers import frame_event
    from classmeet.rooms.services.events import room_event_send

    room_event_send(
        meeting_id=recording.meeting_id,
        event=frame_event(protocol.dump(recording_state_message(recording, message=message))),
    )


def recording_state_message(recording: Recording | None, *, message: str = "") -> RecordingState:
    """The `recording` frame for this recording (None: nothing is being recorded)."""
    from classmeet.rooms import protocol

    if recording is None or recording.status != Recording.Status.RECORDING:
        rid = recording.pk if recording is not None else None
        return protocol.RecordingState(active=False, recordingId=rid, message=message)
    by = recording.created_by.display_name if recording.created_by else ""
    return protocol.RecordingState(
        active=True,
        recordingId=recording.pk,
        byName=by,
        startedAt=recording.started_at.isoformat(),
        message=message,
    )


# Quota -----------------------------------------------------------------------------------------


def recordings_bytes_used() -> int:
    """Bytes held by every recording: finished files plus uploads not processed yet."""
    done = Recording.objects.filter(status=Recording.Status.READY).aggregate(n=Sum("size_bytes"))
    pending = Recording.objects.filter(
        status__in=(*Recording.ACTIVE, *Recording.PENDING)
    ).aggregate(n=Sum("bytes_received"))
    return int(done["n"] or 0) + int(pending["n"] or 0)


def _quota() -> int:
    return int(settings.CLASSMEET_RECORDINGS_QUOTA_BYTES)


def _over_quota(extra: int) -> bool:
    quota = _quota()
    return quota > 0 and recordings_bytes_used() + extra > quota


QUOTA_REASON = "The storage quota for recordings is full; recording stopped."


# Start / chunks / stop ---------------------------------------------------------------------------


@transaction.atomic
def recording_start(
    *, meeting: Meeting, user: User, video_tracks: int, audio_tracks: int
) -> Recording:
    """Start recording the meeting; the teacher's browser then uploads chunks.

    Refused when nothing is published (no video and no audio track to record), when the
    meeting is already being recorded, or when the storage quota is full.
    """
    if video_tracks <= 0 and audio_tracks <= 0:
        raise RecordingError(
            "nobody-publishing",
            _(
                "Nothing to record: nobody is publishing. Turn on your camera or microphone "
                "(or wait for a participant with a microphone) and try again."
            ),
        )
    if _quota() > 0 and recordings_bytes_used() >= _quota():
        raise RecordingError(
            "quota-exceeded", _("The storage quota for recordings is full."), status=507
        )
    # Lock the meeting row so two starts cannot both pass the "already recording" check.
    type(meeting).objects.select_for_update().filter(pk=meeting.pk).first()
    running = Recording.objects.filter(meeting=meeting, status=Recording.Status.RECORDING)
    if running.exclude(created_by=user).exists():
        raise RecordingError("already-recording", _("This meeting is already being recorded."))
    # The same teacher starting again: the tab that recorded is gone (reloaded, crashed).
    # Keep what it uploaded as its own recording.
    for previous in running:
        recording_stop(recording=previous)
    recording = Recording.objects.create(
        meeting=meeting,
        created_by=user,
        started_at=timezone.now(),
        status=Recording.Status.RECORDING,
    )
    _broadcast_state(recording)
    return recording


@dataclass(frozen=True)
class ChunkResult:
    recording: Recording
    duplicate: bool  # this sequence number was already stored: nothing was appended


def recording_chunk_append(*, recording_id: int, seq: int, data: bytes) -> ChunkResult:
    """Append chunk `seq` to the upload. Idempotent per (recording, seq).

    A chunk already stored (seq below the next expected) is acknowledged without appending; a
    gap (seq above it) is refused so the client resends in order. The file is truncated to the
    committed length before appending, so a write cut short by a crash is overwritten by the
    retry. Over the quota, the recording fails with a clear reason and further chunks are refused.
    """
    limit = int(settings.CLASSMEET_RECORDINGS_CHUNK_MAX_BYTES)
    if len(data) > limit:
        raise RecordingError(
            "too-large", _("A chunk is limited to %(n)d bytes.") % {"n": limit}, 413
        )
    if not data:
        raise RecordingError("empty", _("The chunk is empty."), 400)
    failed_over_quota = False
    with transaction.atomic():
        recording = Recording.objects.select_for_update().get(pk=recording_id)
        if seq < recording.next_seq:
            return ChunkResult(recording=recording, duplicate=True)
        if recording.status != Recording.Status.RECORDING:
            raise RecordingError("not-recording", _("This recording has stopped."))
        if seq > recording.next_seq:
            raise RecordingError(
                "out-of-order",
                _("Expected chunk %(n)d.") % {"n": recording.next_seq},
            )
        if _over_quota(len(data)):
            recording.status = Recording.Status.FAILED
            recording.failure_reason = QUOTA_REASON
            recording.stopped_at = timezone.now()
            recording.save(update_fields=["status", "failure_reason", "stopped_at", "updated_at"])
            _broadcast_state(recording, message=_(QUOTA_REASON))
            transaction.on_commit(lambda: _remove_files(recording, keep_final=False))
            failed_over_quota = True
        else:
            path = part_path(recording)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "ab") as fh:
                fh.truncate(recording.bytes_received)
                fh.seek(recording.bytes_received)
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            recording.next_seq = seq + 1
            recording.bytes_received += len(data)
            recording.last_chunk_at = timezone.now()
            recording.save(
                update_fields=["next_seq", "bytes_received", "last_chunk_at", "updated_at"]
            )
    if failed_over_quota:
        raise RecordingError("quota-exceeded", _(QUOTA_REASON), 507)
    return ChunkResult(recording=recording, duplicate=False)


def recording_stop(*, recording: Recording, message: str = "") -> Recording:
    """Stop a running recording and queue its processing (no-op if it is not running)."""
    with transaction.atomic():
        locked = Recording.objects.select_for_update().get(pk=recording.pk)
        if locked.status != Recording.Status.RECORDING:
            return locked
        locked.stopped_at = timezone.now()
        if locked.bytes_received == 0:
            locked.status = Recording.Status.FAILED
            locked.failure_reason = "Nothing was recorded (no data was uploaded)."
        else:
            locked.status = Recording.Status.QUEUED
            locked.progress = 0
        locked.save(
            update_fields=["status", "stopped_at", "failure_reason", "progress", "updated_at"]
        )
        _broadcast_state(locked, message=message)
        if locked.status == Recording.Status.QUEUED:
            _queue_processing(locked.pk)
    return locked


def _queue_processing(recording_id: int) -> None:
    from classmeet.recordings.tasks import recording_process_task

    transaction.on_commit(lambda: recording_process_task.delay(recording_id=recording_id))


def recordings_stop_for_user(*, meeting_id: int, user_id: int, message: str = "") -> int:
    """Stop the meeting's running recordings made by this user (teacher left or meeting ended)."""
    running = Recording.objects.filter(
        meeting_id=meeting_id, created_by_id=user_id, status=Recording.Status.RECORDING
    )
    count = 0
    for recording in running:
        recording_stop(recording=recording, message=message)
        count += 1
    return count


# Processing ------------------------------------------------------------------------------------


class ProcessingFailed(Exception):
    pass


def _probe(path: Path) -> dict[str, Any]:
    """ffprobe's format and streams of a file (raises ProcessingFailed)."""
    result = subprocess.run(  # noqa: S603 - fixed program, our own paths
        [
            settings.CLASSMEET_RECORDINGS_FFPROBE,
            "-v",
            "error",
            "-show_entries",
            "format=duration,size:stream=codec_type,codec_name",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise ProcessingFailed(result.stderr.strip().splitlines()[-1:] or ["ffprobe failed"])
    data: dict[str, Any] = json.loads(result.stdout or "{}")
    return data


def probe_summary(path: Path) -> tuple[float, list[str]]:
    """Return (duration in seconds, codec types of the streams) of a media file."""
    data = _probe(path)
    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    try:
        duration = float(fmt.get("duration", "nan"))
    except (TypeError, ValueError):
        duration = float("nan")
    kinds = [str(s.get("codec_type")) for s in streams]
    return duration, kinds


def _run_ffmpeg(
    args: list[str], out: Path, *, total_seconds: float, on_progress: ProgressCallback
) -> None:
    """Run ffmpeg writing `out`, reporting percentages from `-progress`; raise on failure."""
    command = [
        settings.CLASSMEET_RECORDINGS_FFMPEG,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        *args,
        "-progress",
        "pipe:1",
        "-nostats",
        "-f",
        "webm",
        str(out),
    ]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(  # noqa: S603 - fixed program, our own paths
            command, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        try:
            for line in proc.stdout or ():
                key, _sep, value = line.strip().partition("=")
                if key == "out_time_us" and value.isdigit() and total_seconds > 0:
                    percent = int(int(value) / 1e6 / total_seconds * 100)
                    on_progress(max(0, min(percent, 99)))
            code = proc.wait(timeout=3600)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if code != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace").strip().splitlines()[-1:]
            raise ProcessingFailed(tail[0] if tail else f"ffmpeg exited with {code}")


REMUX = ["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy"]
REENCODE = [
    "-map",
    "0:v:0?",
    "-map",
    "0:a:0?",
    "-c:v",
    "libvpx",
    "-deadline",
    "realtime",
    "-cpu-used",
    "8",
    "-b:v",
    "1M",
    "-c:a",
    "libopus",
    "-b:a",
    "96k",
]


def _save_progress(recording_id: int) -> ProgressCallback:
    last = {"value": -1, "at": 0.0}

    def report(percent: int) -> None:
        now = timezone.now().timestamp()
        if percent == last["value"] or now - last["at"] < 0.5:
            return
        last.update(value=percent, at=now)
        Recording.objects.filter(pk=recording_id, status=Recording.Status.PROCESSING).update(
            progress=percent, updated_at=timezone.now()
        )

    return report


def recording_process(
    *, recording_id: int, on_progress: ProgressCallback | None = None
) -> Recording:
    """Turn the uploaded parts into one seekable WebM; idempotent (safe to run again).

    Remuxes first (fast, keeps quality; adds cues and the duration MediaRecorder leaves out)
    and re-encodes when that fails. The result is written under a temporary name and renamed
    into place, then probed for its duration and size; the course is notified once.
    """
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update().select_related("meeting").get(pk=recording_id)
        )
        if recording.status == Recording.Status.READY:
            _cleanup_after_ready(recording)
            return recording
        if recording.status not in Recording.PENDING:
            return recording
        recording.status = Recording.Status.PROCESSING
        recording.progress = 0
        recording.save(update_fields=["status", "progress", "updated_at"])
    report = on_progress or _save_progress(recording.pk)
    final = recordings_root() / final_name(recording)
    try:
        result = _produce(recording, final, report)
    except ProcessingFailed as exc:
        return _fail(recording, _("The recording could not be processed: %(e)s") % {"e": exc})
    duration, size = result
    with transaction.atomic():
        updated = Recording.objects.filter(
            pk=recording.pk, status=Recording.Status.PROCESSING
        ).update(
            status=Recording.Status.READY,
            file_name=final_name(recording),
            duration_seconds=duration,
            size_bytes=size,
            progress=100,
            failure_reason="",
            processed_at=timezone.now(),
            updated_at=timezone.now(),
        )
        recording.refresh_from_db()
        if updated:
            _notify_ready(recording)
    _cleanup_after_ready(recording)
    return recording


def _produce(recording: Recording, final: Path, report: ProgressCallback) -> tuple[float, int]:
    """Make the final file (or find it made by a run that died before saving); return
    (duration, size)."""
    source = part_path(recording)
    if not source.exists():
        if final.exists():  # a previous run renamed it into place, then died
            duration, _kinds = probe_summary(final)
            return duration, final.stat().st_size
        raise ProcessingFailed(_("the uploaded recording is missing"))
    if _over_quota(source.stat().st_size):
        raise ProcessingFailed(_("the storage quota for recordings is full"))
    span = 0.0
    if recording.stopped_at and recording.started_at:
        span = (recording.stopped_at - recording.started_at).total_seconds()
    temp = _dir(recording) / f"recording-{recording.pk}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        duration = float("nan")
        kinds: list[str] = []
        for args in (REMUX, REENCODE):
            try:
                _run_ffmpeg(
                    ["-i", str(source), *args], temp, total_seconds=span, on_progress=report
                )
                duration, kinds = probe_summary(temp)
            except ProcessingFailed:
                if args is REENCODE:
                    raise
                continue
            if kinds and duration == duration and duration > 0:  # not NaN
                break
        if not kinds or not duration == duration or duration <= 0:
            raise ProcessingFailed(_("the recording has no playable audio or video"))
        with open(temp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)
    return duration, final.stat().st_size


def _fail(recording: Recording, reason: str) -> Recording:
    Recording.objects.filter(pk=recording.pk).exclude(status=Recording.Status.READY).update(
        status=Recording.Status.FAILED, failure_reason=reason[:500], updated_at=timezone.now()
    )
    recording.refresh_from_db()
    return recording


def _cleanup_after_ready(recording: Recording) -> None:
    part_path(recording).unlink(missing_ok=True)


def _notify_ready(recording: Recording) -> None:
    from classmeet.courses.models import Enrollment
    from classmeet.notifications.models import Notification
    from classmeet.notifications.services import notifications_create

    meeting = recording.meeting
    course = meeting.course
    students = Enrollment.objects.filter(course_id=course.pk).values_list("student_id", flat=True)
    notifications_create(
        recipient_ids=[course.teacher_id, *students],
        kind=Notification.Kind.RECORDING_READY,
        title=_("Recording of “%(title)s” is ready") % {"title": meeting.title},
        url=reverse("meetings:meeting-detail", kwargs={"meeting_id": meeting.pk}),
        course=course,
    )


# Rename / delete / housekeeping --------------------------------------------------------------


def recording_rename(*, recording: Recording, title: str) -> Recording:
    recording.title = title.strip()
    recording.full_clean(exclude=["meeting", "created_by"])
    recording.save(update_fields=["title", "updated_at"])
    return recording


def _remove_files(recording: Recording, *, keep_final: bool = True) -> None:
    part_path(recording).unlink(missing_ok=True)
    for temp in _temp_paths(recording):
        temp.unlink(missing_ok=True)
    if not keep_final:
        (recordings_root() / final_name(recording)).unlink(missing_ok=True)


def recording_delete(*, recording: Recording) -> None:
    """Delete the recording and its files (a running one is stopped for everybody first)."""
    was_running = recording.status == Recording.Status.RECORDING
    paths = [part_path(recording), recordings_root() / final_name(recording)]
    paths += _temp_paths(recording)
    with transaction.atomic():
        if was_running:
            _broadcast_state(
                Recording(meeting_id=recording.meeting_id, status=Recording.Status.FAILED)
            )
        recording.delete()
    for path in paths:
        path.unlink(missing_ok=True)


def recordings_housekeeping() -> dict[str, int]:
    """Delete expired recordings, stop abandoned ones, queue again jobs whose worker died."""
    now = timezone.now()
    stale = now - timedelta(seconds=int(settings.CLASSMEET_RECORDINGS_STALE_SECONDS))
    counts = {"expired": 0, "stopped": 0, "requeued": 0}
    days = int(settings.CLASSMEET_RECORDINGS_RETENTION_DAYS)
    if days > 0:
        expired = Recording.objects.filter(started_at__lt=now - timedelta(days=days)).exclude(
            status=Recording.Status.RECORDING
        )
        for recording in expired:
            recording_delete(recording=recording)
            counts["expired"] += 1
    for recording in Recording.objects.filter(
        status=Recording.Status.RECORDING, updated_at__lt=stale
    ):
        recording_stop(recording=recording, message=_("The recording was interrupted."))
        counts["stopped"] += 1
    for recording_id in Recording.objects.filter(
        status__in=Recording.PENDING, updated_at__lt=stale
    ).values_list("pk", flat=True):
        with transaction.atomic():
            Recording.objects.filter(pk=recording_id).update(
                status=Recording.Status.QUEUED, updated_at=now
            )
            _queue_processing(recording_id)
        counts["requeued"] += 1
    return counts
