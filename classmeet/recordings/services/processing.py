"""Processing a stopped recording into one seekable WebM (ffmpeg; janus-pp-rec for Janus's files).

A processing job that is retried (worker killed, task redelivered) starts over from the sources
and writes the same final name, so there is never more than one file per recording, and a
half-written file is never the one the download view serves (it serves only status=ready). One
run owns a job at a time (`processing_token`); it proves it is alive (`heartbeat_at`), and
another run takes the job over only once it has been silent for three heartbeats.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.recordings import janus_recorder
from classmeet.recordings.janus_recorder import ProcessingFailed
from classmeet.recordings.models import Recording
from classmeet.recordings.services import files

ProgressCallback = Callable[[int], None]


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
                raise ProcessingFailed(_(files.NO_SPACE))
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
    final = files.recordings_root() / files.final_name(recording)
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
        files.remove_files(recording, keep_final=True)
    with transaction.atomic():
        updated = Recording.objects.filter(
            pk=recording.pk, status=Recording.Status.PROCESSING, processing_token=run.token
        ).update(
            status=Recording.Status.READY,
            file_name=files.final_name(recording),
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
    source = janus_recorder.folder(recording) if sfu else files.part_path(recording)
    if not source.exists():
        if final.exists():  # a previous run renamed it into place, then died
            duration, _kinds = probe_summary(final)
            return duration, final.stat().st_size
        raise ProcessingFailed(_("the recorded media is missing"))
    size = janus_recorder.folder_size(source) if sfu else source.stat().st_size
    files.check_space(need=size)
    temp = files.recording_dir(recording) / f"recording-{recording.pk}.{run.token[:12]}.tmp"

    def guard() -> None:
        written = temp.stat().st_size if temp.exists() else 0
        if files.over_quota(written):
            raise ProcessingFailed(_("the storage quota for recordings is full"))
        if shutil.disk_usage(temp.parent).free < int(settings.CLASSMEET_RECORDINGS_MIN_FREE_BYTES):
            raise ProcessingFailed(_(files.NO_SPACE))

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
            raise ProcessingFailed(_(files.NO_SPACE)) from exc
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
            if args is not REMUX or str(exc) == _(files.NO_SPACE) or "quota" in str(exc):
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
    files.remove_files(recording, keep_final=True)


def _notify_ready(recording: Recording) -> None:
    from classmeet.courses.models import Enrollment
    from classmeet.courses.selectors import course_staff_ids
    from classmeet.notifications.models import Notification
    from classmeet.notifications.services import notifications_create

    meeting = recording.meeting
    course = meeting.course
    students = Enrollment.objects.filter(course_id=course.pk).values_list("student_id", flat=True)
    notifications_create(
        recipient_ids=[*course_staff_ids(course=course), *students],
        kind=Notification.Kind.RECORDING_READY,
        title=lambda: _("Recording of “%(title)s” is ready") % {"title": meeting.title},
        url=reverse("meetings:meeting-detail", kwargs={"meeting_id": meeting.pk}),
        course=course,
    )


def queue_processing(recording_id: int) -> None:
    """Queue the recording's processing once the current transaction commits."""
    from classmeet.recordings.tasks import recording_process_task

    transaction.on_commit(lambda: recording_process_task.delay(recording_id=recording_id))
