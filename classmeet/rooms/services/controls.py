"""The teacher's controls that change state: remove a participant, end the meeting for everyone.

Callers check access first (`access.rooms.can_control_room`). Each control closes the attendance it
ends and, once the transaction commits, tells every socket of the room through the channel layer;
the consumer closes the sockets concerned.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.meetings.models import Meeting
from classmeet.rooms.models import Attendance, RoomRemoval

from .attendance import attendance_close_meeting, attendance_close_user
from .events import room_event_send

# Channel-layer event types; the consumer handles them as `room_removed` and `room_ended`.
EVENT_REMOVED = "room.removed"
EVENT_ENDED = "room.ended"


@transaction.atomic
def room_removal_create(*, meeting: Meeting, user_id: int, by_id: int) -> RoomRemoval:
    """Remove a participant: they cannot rejoin this meeting and all their sockets close."""
    if user_id == meeting.course.teacher_id:
        raise ValidationError(_("The teacher cannot be removed from their own class."), "teacher")
    removal, _created = RoomRemoval.objects.get_or_create(
        meeting=meeting, user_id=user_id, defaults={"by_id": by_id}
    )
    attendance_close_user(
        meeting_id=meeting.pk, user_id=user_id, closed_by=Attendance.ClosedBy.REMOVED
    )
    room_event_send(
        meeting_id=meeting.pk,
        event={"type": EVENT_REMOVED, "user_id": user_id, "by_id": by_id},
    )
    return removal


@transaction.atomic
def meeting_end(*, meeting: Meeting, by_id: int) -> Meeting:
    """End the meeting for everyone: mark it ended, close its attendance and all its sockets."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be ended."), "cancelled")
    now = timezone.now()
    if meeting.status != Meeting.Status.ENDED:
        meeting.status = Meeting.Status.ENDED
        meeting.ended_at = now
        meeting.save(update_fields=["status", "ended_at", "updated_at"])
    attendance_close_meeting(meeting_id=meeting.pk, closed_by=Attendance.ClosedBy.ENDED, at=now)
    room_event_send(meeting_id=meeting.pk, event={"type": EVENT_ENDED, "by_id": by_id})
    transaction.on_commit(lambda: _sfu_room_release(meeting.pk))
    return meeting


def _sfu_room_release(meeting_id: int) -> None:
    """Destroy the meeting's Janus room even if nobody is connected any more (rooms/sfu)."""
    from classmeet.rooms.sfu import conf
    from classmeet.rooms.tasks import sfu_room_release

    if conf.enabled():
        sfu_room_release.delay(meeting_id=meeting_id)
