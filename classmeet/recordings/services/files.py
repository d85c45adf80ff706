"""Where recordings live on disk, and how much room they may take.

Files (under settings.CLASSMEET_RECORDINGS_ROOT, never under a public URL):
  meeting-<m>/recording-<r>.part           browser: the upload, chunks appended in sequence order
  meeting-<m>/sfu-<r>/*.mjr                SFU: Janus's files (work-<token>/ while processing)
  meeting-<m>/recording-<r>.<token>.tmp    ffmpeg's output while it runs (never served)
  meeting-<m>/recording-<r>.webm           the result, renamed into place atomically
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from classmeet.recordings import janus_recorder
from classmeet.recordings.janus_recorder import ProcessingFailed
from classmeet.recordings.models import Recording

# Paths -----------------------------------------------------------------------------------------


def recordings_root() -> Path:
    return Path(settings.CLASSMEET_RECORDINGS_ROOT)


def recording_dir(recording: Recording) -> Path:
    return recordings_root() / f"meeting-{recording.meeting_id}"


def part_path(recording: Recording) -> Path:
    return recording_dir(recording) / f"recording-{recording.pk}.part"


def final_name(recording: Recording) -> str:
    return f"meeting-{recording.meeting_id}/recording-{recording.pk}.webm"


def file_path(recording: Recording) -> Path | None:
    """The finished file, or None while it is not ready."""
    if not recording.is_ready:
        return None
    return recordings_root() / recording.file_name


def temp_paths(recording: Recording) -> list[Path]:
    return sorted(recording_dir(recording).glob(f"recording-{recording.pk}.*.tmp"))


# Quota -----------------------------------------------------------------------------------------


def recordings_bytes_used() -> int:
    """Bytes held by every recording: finished files plus uploads not processed yet."""
    done = Recording.objects.filter(status=Recording.Status.READY).aggregate(n=Sum("size_bytes"))
    pending = Recording.objects.filter(
        status__in=(*Recording.ACTIVE, *Recording.PENDING)
    ).aggregate(n=Sum("bytes_received"))
    return int(done["n"] or 0) + int(pending["n"] or 0)


def quota_bytes() -> int:
    return int(settings.CLASSMEET_RECORDINGS_QUOTA_BYTES)


def over_quota(extra: int) -> bool:
    quota = quota_bytes()
    return quota > 0 and recordings_bytes_used() + extra > quota


# Stored untranslated as a failure reason (shown translated, recordings.views and the panel).
QUOTA_REASON = gettext_noop("The storage quota for recordings is full; recording stopped.")


# Disk space ------------------------------------------------------------------------------------


NO_SPACE = gettext_noop("there is not enough free disk space")


def check_space(*, need: int) -> None:
    """Refuse to write `need` more bytes past the quota or into the disk's reserve."""
    if over_quota(need):
        raise ProcessingFailed(_("the storage quota for recordings is full"))
    root = recordings_root()
    root.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(root).free
    if free - need < int(settings.CLASSMEET_RECORDINGS_MIN_FREE_BYTES):
        raise ProcessingFailed(_(NO_SPACE))


def remove_files(recording: Recording, *, keep_final: bool = True) -> None:
    """Remove the sources (upload, Janus's files) and leftovers of killed runs."""
    part_path(recording).unlink(missing_ok=True)
    shutil.rmtree(janus_recorder.folder(recording), ignore_errors=True)
    for temp in temp_paths(recording):
        temp.unlink(missing_ok=True)
    if not keep_final:
        (recordings_root() / final_name(recording)).unlink(missing_ok=True)
