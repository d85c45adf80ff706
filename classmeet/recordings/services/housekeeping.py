"""Renaming and deleting recordings, and the periodic housekeeping: retention, abandoned
recordings, the quota while Janus records, and jobs whose worker died."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.recordings import janus_recorder
from classmeet.recordings.janus_recorder import JanusRecorderError
from classmeet.recordings.models import Recording
from classmeet.recordings.services import capture, files, processing

logger = logging.getLogger(__name__)


def recording_rename(*, recording: Recording, title: str) -> Recording:
    recording.title = title.strip()
    recording.full_clean(exclude=["meeting", "created_by"])
    recording.save(update_fields=["title", "updated_at"])
    return recording


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
    gone = Recording(pk=recording.pk, meeting_id=recording.meeting_id)  # pk is gone after delete
    with transaction.atomic():
        if was_running:
            capture.broadcast_state(
                Recording(meeting_id=recording.meeting_id, status=Recording.Status.FAILED)
            )
        recording.delete()
    files.remove_files(gone, keep_final=False)


def _sfu_over_quota(recording: Recording) -> bool:
    """Count what Janus wrote so far; over the quota, stop and fail the recording."""
    size = janus_recorder.folder_size(janus_recorder.folder(recording))
    Recording.objects.filter(pk=recording.pk).update(bytes_received=size)
    quota = files.quota_bytes()
    if quota <= 0 or files.recordings_bytes_used() <= quota:
        return False
    _janus_stop_quietly(recording)
    with transaction.atomic():
        updated = Recording.objects.filter(
            pk=recording.pk, status=Recording.Status.RECORDING
        ).update(
            status=Recording.Status.FAILED,
            failure_reason=files.QUOTA_REASON,
            stopped_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if updated:
            recording.status = Recording.Status.FAILED
            capture.broadcast_state(recording, message=_(files.QUOTA_REASON))
            transaction.on_commit(lambda: files.remove_files(recording, keep_final=False))
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
        capture.recording_stop(recording=recording, message=_("The recording was interrupted."))
        counts["stopped"] += 1
    # Janus records as long as the teacher is in the room: only the quota stops it here.
    for recording in Recording.objects.filter(
        status=Recording.Status.RECORDING, source=Recording.Source.SFU
    ):
        if _sfu_over_quota(recording):
            counts["stopped"] += 1
    silent = now - timedelta(seconds=3 * processing.heartbeat_seconds())
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
            processing.queue_processing(recording_id)
        counts["requeued"] += 1
    return counts
