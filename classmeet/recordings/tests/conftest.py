"""Recordings fixtures: a private recordings root per test and a real WebM made by ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from classmeet.recordings.models import Recording
from classmeet.recordings.services import capture, processing

SAMPLE_SECONDS = 4


@pytest.fixture
def recordings_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "recordings"
    settings.CLASSMEET_RECORDINGS_ROOT = root
    settings.CLASSMEET_RECORDINGS_QUOTA_BYTES = 0
    return root


@pytest.fixture(scope="session")
def sample_webm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A live-style WebM (no cues, no duration: like MediaRecorder's) with VP8 video and Opus."""
    out = tmp_path_factory.mktemp("sample") / "sample.webm"
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=320x240:rate=25:duration={SAMPLE_SECONDS}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={SAMPLE_SECONDS}",
            "-c:v",
            "libvpx",
            "-deadline",
            "realtime",
            "-c:a",
            "libopus",
            "-live",
            "1",
            "-f",
            "webm",
            str(out),
        ],
        check=True,
    )
    return out.read_bytes()


def chunks_of(data: bytes, size: int = 16 * 1024) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def make_recording(meeting: Any, user: Any, **fields: Any) -> Recording:
    return Recording.objects.create(
        meeting=meeting, created_by=user, started_at=timezone.now(), **fields
    )


def upload(recording: Recording, data: bytes) -> Recording:
    for seq, chunk in enumerate(chunks_of(data)):
        capture.recording_chunk_append(recording_id=recording.pk, seq=seq, data=chunk)
    recording.refresh_from_db()
    return recording


@pytest.fixture
def ready_recording(live_meeting: Any, teacher: Any, recordings_root: Path, sample_webm: bytes):
    """A processed recording of the live meeting (the real pipeline, run synchronously)."""
    recording = upload(make_recording(live_meeting, teacher), sample_webm)
    Recording.objects.filter(pk=recording.pk).update(
        status=Recording.Status.QUEUED, stopped_at=timezone.now()
    )
    return processing.recording_process(recording_id=recording.pk)
