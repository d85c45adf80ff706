"""Recordings: start, append uploaded chunks, stop, process with ffmpeg, rename, delete, expire.

Two sources (docs/recordings.md): in SFU mode (CLASSMEET_SFU_URL set) Janus records every
published stream (janus_recorder); otherwise the teacher's browser uploads one WebM in chunks.
Files (under settings.CLASSMEET_RECORDINGS_ROOT, never under a public URL):
  meeting-<m>/recording-<r>.part           browser: the upload, chunks appended in sequence order
  meeting-<m>/sfu-<r>/*.mjr                SFU: Janus's files (work-<token>/ while processing)
  meeting-<m>/recording-<r>.<token>.tmp    ffmpeg's output while it runs (never served)
  meeting-<m>/recording-<r>.webm           the result, renamed into place atomically
A processing job that is retried (worker killed, task redelivered) starts over from the sources
and writes the same final name, so there is never more than one file per recording, and a
half-written file is never the one the download view serves (it serves only status=ready). One
run owns a job at a time (`processing_token`); it proves it is alive (`heartbeat_at`), and
another run takes the job over only once it has been silent for three heartbeats.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
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
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.recordings import janus_recorder
from classmeet.recordings.janus_recorder import JanusRecorderError, ProcessingFailed
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
    from classmeet.rooms.frames import frame_event
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


def recording_start(
    *, meeting: Meeting, user: User, video_tracks: int, audio_tracks: int
) -> Recording:
    """Start recording the meeting: Janus records (SFU mode), or the teacher's browser uploads
    chunks. `video_tracks`/`audio_tracks`: what the browser sees published in the room.

    Refused when nothing is published (no video and no audio track to record), when the
    meeting is already being recorded, or when the storage quota is full.
    """
    sfu = janus_recorder.enabled()
    if sfu:
        # Janus records: the room moves to the SFU if it is still a mesh. Then the browser's
        # counts say who will publish there; in a room already on the SFU, Janus knows.
        try:
            if not janus_recorder.move_to_sfu(meeting_id=meeting.pk):
                published = len(janus_recorder.publishers(meeting_id=meeting.pk))
                video_tracks, audio_tracks = published, published
        except JanusRecorderError as exc:
            raise _sfu_unavailable(exc) from exc
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
    with transaction.atomic():
        recording = _recording_create(meeting=meeting, user=user, sfu=sfu)
        if not sfu:
            _broadcast_state(recording)
    if sfu:
        try:
            feeds = janus_recorder.recording_enable(recording=recording)
        except JanusRecorderError as exc:
            error = _sfu_unavailable(exc)
            Recording.objects.filter(pk=recording.pk).update(
                status=Recording.Status.FAILED,
                failure_reason=error.message,
                stopped_at=timezone.now(),
                updated_at=timezone.now(),
            )
            raise error from exc
        with transaction.atomic():
            Recording.objects.filter(pk=recording.pk).update(sfu_feeds=feeds)
            recording.sfu_feeds = feeds
            _broadcast_state(recording)
    return recording


def _sfu_unavailable(exc: JanusRecorderError) -> RecordingError:
    return RecordingError(
        "sfu-unavailable",
        _("The media server could not record (%(what)s failed). Try again in a moment.")
        % {"what": exc},
        status=503,
    )


def _recording_create(*, meeting: Meeting, user: User, sfu: bool) -> Recording:
    # Lock the meeting row so two starts cannot both pass the "already recording" check.
    type(meeting).objects.select_for_update().filter(pk=meeting.pk).first()
    running = Recording.objects.filter(meeting=meeting, status=Recording.Status.RECORDING)
    if running.exclude(created_by=user).exists():
        raise RecordingError("already-recording", _("This meeting is already being recorded."))
    # The same teacher starting again: the tab that recorded is gone (reloaded, crashed).
    # Keep what it uploaded as its own recording.
    for previous in running:
        recording_stop(recording=previous)
    return Recording.objects.create(
        meeting=meeting,
        created_by=user,
        started_at=timezone.now(),
        status=Recording.Status.RECORDING,
        source=Recording.Source.SFU if sfu else Recording.Source.BROWSER,
    )


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
    feeds: dict[str, int] = {}
    if recording.source == Recording.Source.SFU and recording.status == Recording.Status.RECORDING:
        # Janus closes the files before the job may read them.
        try:
            feeds = janus_recorder.recording_disable(recording=recording)
        except JanusRecorderError:
            logger.warning("recording %s: Janus did not confirm the stop", recording.pk)
    with transaction.atomic():
        locked = Recording.objects.select_for_update().get(pk=recording.pk)
        if locked.status != Recording.Status.RECORDING:
            return locked
        locked.stopped_at = timezone.now()
        if locked.source == Recording.Source.SFU:
            locked.sfu_feeds = {**locked.sfu_feeds, **feeds}
            locked.bytes_received = janus_recorder.folder_size(janus_recorder.folder(locked))
        if locked.bytes_received == 0:
            locked.status = Recording.Status.FAILED
            locked.failure_reason = (
                janus_recorder.NOTHING_RECORDED
                if locked.source == Recording.Source.SFU
                else "Nothing was recorded (no data was uploaded)."
            )
        else:
            locked.status = Recording.Status.QUEUED
            locked.progress = 0
        locked.save(
            update_fields=[
                "status",
                "stopped_at",
                "failure_reason",
                "progress",
                "sfu_feeds",
                "bytes_received",
                "updated_at",
            ]
        )
        _broadcast_state(locked, message=message)
        if locked.status == Recording.Status.QUEUED:
            _queue_processing(locked.pk)
    return locked


def recording_feeds_refresh(*, meeting_id: int) -> None:
    """Add the room's current publishers to the running SFU recording's feed map."""
    recording = Recording.objects.filter(
        meeting_id=meeting_id, status=Recording.Status.RECORDING, source=Recording.Source.SFU
    ).first()
    if recording is None:
        return
    try:
        feeds = janus_recorder.feeds(meeting_id=meeting_id)
    except JanusRecorderError:
        return
    with transaction.atomic():
        locked = Recording.objects.select_for_update().get(pk=recording.pk)
        locked.sfu_feeds = {**locked.sfu_feeds, **feeds}
        locked.save(update_fields=["sfu_feeds"])


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


class ProcessingBusy(Exception):
    """Another run owns the job and is alive: try again later."""


class Superseded(Exception):
    """This run lost the job (another run took it over, or the recording was deleted)."""


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


NO_SPACE = "there is not enough free disk space"


def _check_space(*, need: int) -> None:
    """Refuse to write `need` more bytes past the quota or into the disk's reserve."""
    if _over_quota(need):
        raise ProcessingFailed(_("the storage quota for recordings is full"))
    root = recordings_root()
    root.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(root).free
    if free - need < int(settings.CLASSMEET_RECORDINGS_MIN_FREE_BYTES):
        raise ProcessingFailed(_(NO_SPACE))


def _run_ffmpeg(
    args: list[str],
    out: Path,
    *,
    total_seconds: float,
    on_progress: ProgressCallback,
    guard: Callable[[], None] = lambda: None,
) -> None:
    """Run ffmpeg writing `out`, reporting percentages from `-progress`; raise on failure.

    `guard` runs at each progress report (about twice a second) and stops ffmpeg by raising.
    """
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
                if key == "progress":
                    guard()
            code = proc.wait(timeout=3600)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if code != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace").strip().splitlines()[-1:]
            if tail and "No space left" in tail[0]:
                raise ProcessingFailed(_(NO_SPACE))
            raise ProcessingFailed(tail[0] if tail else f"ffmpeg exited with {code}")


REMUX = ["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy"]


def _reencode() -> list[str]:
    return ["-map", "0:v:0?", "-map", "0:a:0?", *janus_recorder.webm_encoding()]


def heartbeat_seconds() -> float:
    return float(settings.CLASSMEET_RECORDINGS_HEARTBEAT_SECONDS)


@dataclass
class _Run:
    """One processing run that owns the job: saves progress and heartbeats under its token."""

    recording_id: int
    token: str
    on_progress: ProgressCallback | None = None
    last_beat: float = 0.0

    def beat(self, percent: int | None = None) -> None:
        now = timezone.now()
        if now.timestamp() - self.last_beat < 0.5:  # at most twice a second
            return
        fields: dict[str, Any] = {"heartbeat_at": now, "updated_at": now}
        if percent is not None:
            fields["progress"] = percent
        self.last_beat = now.timestamp()
        if not self._owned().update(**fields):
            raise Superseded
        if percent is not None and self.on_progress is not None:
            self.on_progress(percent)

    def _owned(self) -> Any:
        return Recording.objects.filter(
            pk=self.recording_id, status=Recording.Status.PROCESSING, processing_token=self.token
        )

    def owns(self) -> bool:
        return bool(self._owned().exists())


def _claim(recording_id: int) -> tuple[Recording, _Run | None]:
    """Take the job: queued, or processing by a run silent for three heartbeats (its worker
    died). Return the recording and the run, or no run when there is nothing to do."""
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update().select_related("meeting").get(pk=recording_id)
        )
        if recording.status == Recording.Status.PROCESSING:
            silent_since = timezone.now() - timedelta(seconds=3 * heartbeat_seconds())
            if recording.heartbeat_at is not None and recording.heartbeat_at > silent_since:
                raise ProcessingBusy
        elif recording.status != Recording.Status.QUEUED:
            return recording, None
        recording.status = Recording.Status.PROCESSING
        recording.progress = 0
        recording.processing_token = uuid.uuid4().hex
        recording.heartbeat_at = timezone.now()
        recording.save(
            update_fields=["status", "progress", "processing_token", "heartbeat_at", "updated_at"]
        )
    return recording, _Run(recording_id=recording.pk, token=recording.processing_token)


def recording_process(
    *, recording_id: int, on_progress: ProgressCallback | None = None
) -> Recording:
    """Turn what was recorded into one seekable WebM; idempotent (safe to run again).

    Browser uploads are remuxed (fast, keeps quality; adds the cues and duration MediaRecorder
    leaves out), re-encoded if that fails; Janus recordings are converted with janus-pp-rec and
    composed (janus_recorder). The result is written under a temporary name and renamed into
    place, then probed for its duration and size; the course is notified once. Raises
    ProcessingBusy while another live run owns the job.
    """
    recording, run = _claim(recording_id)
    if run is None:
        if recording.status == Recording.Status.READY:
            _cleanup_after_ready(recording)
        return recording
    run.on_progress = on_progress
    final = recordings_root() / final_name(recording)
    try:
        duration, size = _produce(recording, final, run)
    except Superseded:
        recording.refresh_from_db()
        return recording
    except ProcessingFailed as exc:
        reason = str(exc)
        if reason == janus_recorder.NOTHING_RECORDED:
            return _fail(recording, run, _(reason))
        return _fail(recording, run, _("The recording could not be processed: %(e)s") % {"e": exc})
    if run.owns():
        # Before the row says ready: a retry after this point finds the final file.
        _remove_files(recording, keep_final=True)
    with transaction.atomic():
        updated = Recording.objects.filter(
            pk=recording.pk, status=Recording.Status.PROCESSING, processing_token=run.token
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
    return recording


def _produce(recording: Recording, final: Path, run: _Run) -> tuple[float, int]:
    """Make the final file (or find it made by a run that died before saving); return
    (duration, size)."""
    sfu = recording.source == Recording.Source.SFU
    source = janus_recorder.folder(recording) if sfu else part_path(recording)
    if not source.exists():
        if final.exists():  # a previous run renamed it into place, then died
            duration, _kinds = probe_summary(final)
            return duration, final.stat().st_size
        raise ProcessingFailed(_("the recorded media is missing"))
    size = janus_recorder.folder_size(source) if sfu else source.stat().st_size
    _check_space(need=size)
    temp = _dir(recording) / f"recording-{recording.pk}.{run.token[:12]}.tmp"

    def guard() -> None:
        written = temp.stat().st_size if temp.exists() else 0
        if _over_quota(written):
            raise ProcessingFailed(_("the storage quota for recordings is full"))
        if shutil.disk_usage(temp.parent).free < int(settings.CLASSMEET_RECORDINGS_MIN_FREE_BYTES):
            raise ProcessingFailed(_(NO_SPACE))

    try:
        if sfu:
            _compose_sfu(recording, source, temp, run, guard)
        else:
            _remux_upload(recording, source, temp, run, guard)
        duration, kinds = probe_summary(temp)
        if not kinds or not duration == duration or duration <= 0:  # NaN: not playable
            raise ProcessingFailed(_("the recording has no playable audio or video"))
        with open(temp, "rb") as fh:
            os.fsync(fh.fileno())
        if not run.owns():
            raise Superseded
        os.replace(temp, final)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ProcessingFailed(_(NO_SPACE)) from exc
        raise ProcessingFailed(str(exc)) from exc
    finally:
        temp.unlink(missing_ok=True)
    return duration, final.stat().st_size


def _span(recording: Recording) -> float:
    if recording.stopped_at and recording.started_at:
        return (recording.stopped_at - recording.started_at).total_seconds()
    return 0.0


def _remux_upload(
    recording: Recording, source: Path, temp: Path, run: _Run, guard: Callable[[], None]
) -> None:
    for args in (REMUX, _reencode()):
        try:
            _run_ffmpeg(
                ["-i", str(source), *args],
                temp,
                total_seconds=_span(recording),
                on_progress=run.beat,
                guard=guard,
            )
            duration, kinds = probe_summary(temp)
        except ProcessingFailed as exc:
            if args is not REMUX or str(exc) == _(NO_SPACE) or "quota" in str(exc):
                raise
            continue
        if kinds and duration == duration and duration > 0:  # not NaN
            return


def _compose_sfu(
    recording: Recording, source: Path, temp: Path, run: _Run, guard: Callable[[], None]
) -> None:
    """janus-pp-rec, then one ffmpeg run: 0-10 % reading and converting, 10-99 % composing."""
    tracks = janus_recorder.read_tracks(source, run.beat)
    videos, audios = janus_recorder.choose(recording, tracks)
    if not videos and not audios:
        raise ProcessingFailed(janus_recorder.NOTHING_RECORDED)
    run.beat(5)
    work = source / f"work-{run.token[:12]}"
    try:
        converted = janus_recorder.convert([*videos, *audios], work, run.beat)
        if not converted:
            raise ProcessingFailed(janus_recorder.NOTHING_RECORDED)
        starts, span = janus_recorder.offsets(recording, [*videos, *audios])
        run.beat(10)
        args = janus_recorder.compose_args(
            [(converted[t.path], starts[t.path]) for t in videos if t.path in converted],
            [(converted[t.path], starts[t.path]) for t in audios if t.path in converted],
            span,
        )
        _run_ffmpeg(
            args,
            temp,
            total_seconds=span,
            on_progress=lambda percent: run.beat(10 + percent * 89 // 99),
            guard=guard,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fail(recording: Recording, run: _Run, reason: str) -> Recording:
    Recording.objects.filter(
        pk=recording.pk, status=Recording.Status.PROCESSING, processing_token=run.token
    ).update(status=Recording.Status.FAILED, failure_reason=reason[:500], updated_at=timezone.now())
    recording.refresh_from_db()
    return recording


def _cleanup_after_ready(recording: Recording) -> None:
    _remove_files(recording, keep_final=True)


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
    """Remove the sources (upload, Janus's files) and leftovers of killed runs."""
    part_path(recording).unlink(missing_ok=True)
    shutil.rmtree(janus_recorder.folder(recording), ignore_errors=True)
    for temp in _temp_paths(recording):
        temp.unlink(missing_ok=True)
    if not keep_final:
        (recordings_root() / final_name(recording)).unlink(missing_ok=True)


def _janus_stop_quietly(recording: Recording) -> None:
    sfu = recording.source == Recording.Source.SFU and janus_recorder.enabled()
    if sfu and recording.status == Recording.Status.RECORDING:
        try:
            janus_recorder.recording_disable(recording=recording)
        except JanusRecorderError:
            logger.warning("recording %s: Janus did not confirm the stop", recording.pk)


def recording_delete(*, recording: Recording) -> None:
    """Delete the recording and its files (a running one is stopped for everybody first)."""
    was_running = recording.status == Recording.Status.RECORDING
    _janus_stop_quietly(recording)
    files = Recording(pk=recording.pk, meeting_id=recording.meeting_id)  # pk is gone after delete
    with transaction.atomic():
        if was_running:
            _broadcast_state(
                Recording(meeting_id=recording.meeting_id, status=Recording.Status.FAILED)
            )
        recording.delete()
    _remove_files(files, keep_final=False)


def _sfu_over_quota(recording: Recording) -> bool:
    """Count what Janus wrote so far; over the quota, stop and fail the recording."""
    size = janus_recorder.folder_size(janus_recorder.folder(recording))
    Recording.objects.filter(pk=recording.pk).update(bytes_received=size)
    quota = _quota()
    if quota <= 0 or recordings_bytes_used() <= quota:
        return False
    _janus_stop_quietly(recording)
    with transaction.atomic():
        updated = Recording.objects.filter(
            pk=recording.pk, status=Recording.Status.RECORDING
        ).update(
            status=Recording.Status.FAILED,
            failure_reason=QUOTA_REASON,
            stopped_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if updated:
            recording.status = Recording.Status.FAILED
            _broadcast_state(recording, message=_(QUOTA_REASON))
            transaction.on_commit(lambda: _remove_files(recording, keep_final=False))
    return bool(updated)


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
        status=Recording.Status.RECORDING, source=Recording.Source.BROWSER, updated_at__lt=stale
    ):
        recording_stop(recording=recording, message=_("The recording was interrupted."))
        counts["stopped"] += 1
    # Janus records as long as the teacher is in the room: only the quota stops it here.
    for recording in Recording.objects.filter(
        status=Recording.Status.RECORDING, source=Recording.Source.SFU
    ):
        if _sfu_over_quota(recording):
            counts["stopped"] += 1
    silent = now - timedelta(seconds=3 * heartbeat_seconds())
    lost = Recording.objects.filter(status=Recording.Status.QUEUED, updated_at__lt=stale)
    dead = Recording.objects.filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=silent),
        status=Recording.Status.PROCESSING,
        updated_at__lt=stale,
    )
    for recording_id in (lost | dead).values_list("pk", flat=True):
        with transaction.atomic():
            Recording.objects.filter(pk=recording_id).update(
                status=Recording.Status.QUEUED, updated_at=now
            )
            _queue_processing(recording_id)
        counts["requeued"] += 1
    return counts
