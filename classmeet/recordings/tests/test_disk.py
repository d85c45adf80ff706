"""Running out of room, with real parts: the quota setting, a real (tiny) file system that fills
up before or while ffmpeg writes, and Janus's files passing the quota while it records. Each
ends in a failed state with a reason; nothing half-written is left or served."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from classmeet.recordings import janus_recorder
from classmeet.recordings.models import Recording
from classmeet.recordings.services import files, housekeeping, processing
from classmeet.recordings.tests.conftest import make_recording, upload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def _queued(meeting: Any, user: Any, data: bytes) -> Recording:
    recording = upload(make_recording(meeting, user), data)
    Recording.objects.filter(pk=recording.pk).update(
        status=Recording.Status.QUEUED, stopped_at=timezone.now()
    )
    return recording


@pytest.fixture
def small_disk(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A real 8 MiB tmpfs as the recordings root (root only: mount)."""
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs")
    root = tmp_path / "disk"
    root.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(root)], check=True)
    settings.CLASSMEET_RECORDINGS_ROOT = root
    settings.CLASSMEET_RECORDINGS_QUOTA_BYTES = 0
    settings.CLASSMEET_RECORDINGS_MIN_FREE_BYTES = 1 * MB
    try:
        yield root
    finally:
        subprocess.run(["umount", str(root)], check=False)


def _fill(root: Path, *, leave: int) -> None:
    """Write a file that leaves `leave` bytes free on the disk."""
    free = shutil.disk_usage(root).free
    with open(root / "filler", "ab") as fh:
        fh.write(b"\0" * max(0, free - leave))


def _left(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file() and p.name != "filler")


def test_quota_too_small_for_the_result_fails_before_writing(
    live_meeting, teacher, recordings_root, sample_webm, settings
):
    recording = _queued(live_meeting, teacher, sample_webm)
    settings.CLASSMEET_RECORDINGS_QUOTA_BYTES = len(sample_webm) * 3 // 2  # upload + half a copy
    result = processing.recording_process(recording_id=recording.pk)
    assert result.status == Recording.Status.FAILED
    assert result.failure_reason == (
        "The recording could not be processed: the storage quota for recordings is full"
    )
    assert files.file_path(result) is None
    assert _left(recordings_root) == [f"recording-{recording.pk}.part"]  # kept: free up, retry


def test_disk_too_full_to_start_processing(live_meeting, teacher, small_disk, sample_webm):
    recording = _queued(live_meeting, teacher, sample_webm)
    _fill(small_disk, leave=MB + len(sample_webm) // 2)
    result = processing.recording_process(recording_id=recording.pk)
    assert result.status == Recording.Status.FAILED
    assert result.failure_reason.endswith("there is not enough free disk space")
    assert _left(small_disk) == [f"recording-{recording.pk}.part"]


def test_disk_filling_up_while_ffmpeg_writes_stops_it(
    live_meeting, teacher, small_disk, sample_webm
):
    recording = _queued(live_meeting, teacher, sample_webm)

    def someone_fills_the_disk(percent: int) -> None:
        _fill(small_disk, leave=MB // 2)

    result = processing.recording_process(
        recording_id=recording.pk, on_progress=someone_fills_the_disk
    )
    assert result.status == Recording.Status.FAILED
    assert result.failure_reason.endswith("there is not enough free disk space")
    assert (small_disk / "filler").exists()  # the disk really was full
    assert files.file_path(result) is None
    assert _left(small_disk) == [f"recording-{recording.pk}.part"]  # no .tmp, no .webm


def test_janus_files_past_the_quota_stop_and_fail_the_recording(
    live_meeting, teacher, recordings_root, settings, django_capture_on_commit_callbacks
):
    recording = make_recording(live_meeting, teacher, source=Recording.Source.SFU)
    folder = janus_recorder.folder(recording)
    folder.mkdir(parents=True)
    (folder / "videoroom-1-user-5-1-video-1.mjr").write_bytes(b"\0" * 4096)
    settings.CLASSMEET_RECORDINGS_QUOTA_BYTES = 1000
    with django_capture_on_commit_callbacks(execute=True):
        counts = housekeeping.recordings_housekeeping()
    assert counts["stopped"] == 1
    recording.refresh_from_db()
    assert recording.status == Recording.Status.FAILED
    assert recording.failure_reason == files.QUOTA_REASON
    assert not folder.exists()
