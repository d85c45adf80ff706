"""The teacher's controls that change state: remove a participant, end the meeting for everyone.

Callers check access first (`access.rooms.can_control_room`). Each control records what it
changes through the meetings services and, once the transaction commits, tells every socket of the
room through the channel layer; the consumer closes the sockets concerned.
"""

from django.db import transaction

from classmeet.meetings.models import Meeting, RoomRemoval
from classmeet.meetings.services.attendance import meeting_mark_ended
from classmeet.meetings.services.removals import room_removal_record

from .events import room_event_send

# Channel-layer event types; the consumer handles them as `room_removed` and `room_ended`.
EVENT_REMOVED = "room.removed"
EVENT_ENDED = "room.ended"


@transaction.atomic
def room_removal_create(*, meeting: Meeting, user_id: int, by_id: int) -> RoomRemoval:
    """Remove a participant: they cannot rejoin this meeting and all their sockets close."""
    removal = room_removal_record(meeting=meeting, user_id=user_id, by_id=by_id)
    room_event_send(
        meeting_id=meeting.pk,
        event={"type": EVENT_REMOVED, "user_id": user_id, "by_id": by_id},
    )
    return removal


@transaction.atomic
def meeting_end(*, meeting: Meeting, by_id: int) -> Meeting:
    """End the meeting for everyone: mark it ended, close its attendance and all its sockets."""
    meeting = meeting_mark_ended(meeting=meeting)
    room_event_send(meeting_id=meeting.pk, event={"type": EVENT_ENDED, "by_id": by_id}, lobby=True)
    transaction.on_commit(lambda: _sfu_room_release(meeting.pk))
    return meeting


def _sfu_room_release(meeting_id: int) -> None:
    """Destroy the meeting's Janus room even if nobody is connected any more (rooms/sfu)."""
    from classmeet.rooms.sfu import conf
    from classmeet.rooms.tasks import sfu_room_release

    if conf.enabled():
        sfu_room_release.delay(meeting_id=meeting_id)
