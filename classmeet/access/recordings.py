"""Recordings of a meeting.

The course's staff (teacher and assistants) record a meeting while its room is open, and renames or deletes the
recordings; its enrolled students watch and download the finished ones. Anybody else, and a
student asking for a recording that is not ready yet, gets the same 404 as for a missing one.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from classmeet.access.courses import remember_viewer, with_viewer
from classmeet.access.meetings import can_manage_meeting, can_view_meeting
from classmeet.access.rooms import can_control_room
from classmeet.accounts.selectors import AnyUser
from classmeet.meetings.models import Meeting
from classmeet.recordings.models import Recording


def can_record_meeting(*, user: AnyUser, meeting: Meeting) -> bool:
    return can_control_room(user=user, meeting=meeting) and meeting.is_joinable()


def can_manage_recording(*, user: AnyUser, recording: Recording) -> bool:
    return can_manage_meeting(user=user, meeting=recording.meeting)


def can_view_recording(*, user: AnyUser, recording: Recording) -> bool:
    if can_manage_recording(user=user, recording=recording):
        return True
    return recording.is_ready and can_view_meeting(user=user, meeting=recording.meeting)


def _recording_with_viewer(*, user: AnyUser, recording_id: int) -> Recording | None:
    recordings = Recording.objects.select_related("meeting", "meeting__course", "created_by")
    recordings = with_viewer(
        recordings.filter(pk=recording_id), user=user, course_field="meeting__course_id"
    )
    recording = recordings.first()
    if recording is not None:
        remember_viewer(row=recording, course=recording.meeting.course, user=user)
    return recording


def access_recording(*, user: AnyUser, recording_id: int) -> Recording:
    """Return the recording, or raise Http404 if it is missing or hidden from the user."""
    recording = _recording_with_viewer(user=user, recording_id=recording_id)
    if recording is None or not can_view_recording(user=user, recording=recording):
        raise Http404
    return recording


def access_recording_for_manage(*, user: AnyUser, recording_id: int) -> Recording:
    """Return the recording for its course's staff; 404 to outsiders, 403 to its students."""
    recording = _recording_with_viewer(user=user, recording_id=recording_id)
    if recording is None or not can_view_meeting(user=user, meeting=recording.meeting):
        raise Http404
    if not can_manage_recording(user=user, recording=recording):
        raise PermissionDenied
    return recording
