"""Capturing a class: start, append the browser's chunks, stop, and tell the room.

Two sources (docs/recordings.md): in SFU mode (CLASSMEET_SFU_URL set) Janus records every
published stream (janus_recorder); otherwise the teacher's browser uploads one WebM in chunks.
A stopped recording is queued for processing (services.processing).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from classmeet.recordings import janus_recorder
from classmeet.recordings.janus_recorder import JanusRecorderError
from classmeet.recordings.models import Recording
from classmeet.recordings.services import files, processing

if TYPE_CHECKING:
    from classmeet.accounts.models import User
    from classmeet.meetings.models import Meeting
    from classmeet.rooms.protocol import RecordingState

logger = logging.getLogger(__name__)


class RecordingError(Exception):
    """A refused operation: `code` for clients, `message` for people, `status` for HTTP."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


# Room broadcast --------------------------------------------------------------------------------


def broadcast_state(recording: Recording, *, message: str = "") -> None:
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
    if files.quota_bytes() > 0 and files.recordings_bytes_used() >= files.quota_bytes():
        raise RecordingError(
            "quota-exceeded", _("The storage quota for recordings is full."), status=507
        )
    with transaction.atomic():
        recording = _recording_create(meeting=meeting, user=user, sfu=sfu)
        if not sfu:
            broadcast_state(recording)
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
            broadcast_state(recording)
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
        if files.over_quota(len(data)):
            recording.status = Recording.Status.FAILED
            recording.failure_reason = files.QUOTA_REASON
            recording.stopped_at = timezone.now()
            recording.save(update_fields=["status", "failure_reason", "stopped_at", "updated_at"])
            broadcast_state(recording, message=_(files.QUOTA_REASON))
            transaction.on_commit(lambda: files.remove_files(recording, keep_final=False))
            failed_over_quota = True
        else:
            path = files.part_path(recording)
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
        raise RecordingError("quota-exceeded", _(files.QUOTA_REASON), 507)
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
                else gettext_noop("Nothing was recorded (no data was uploaded).")
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
        broadcast_state(locked, message=message)
        if locked.status == Recording.Status.QUEUED:
            processing.queue_processing(locked.pk)
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
