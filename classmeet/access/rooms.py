"""The live room: who may enter it now, and who runs it (controls, raised hands)."""

import enum

from django.db.models import Exists

from classmeet.access.courses import remember_viewer, with_viewer
from classmeet.access.meetings import can_manage_meeting, can_view_meeting
from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.courses.selectors import course_staff_ids
from classmeet.meetings.models import Attendance, Meeting, RoomAdmission, RoomRemoval


class RoomEntry(enum.IntEnum):
    """Why someone may or may not enter a meeting room; values are the WebSocket close codes."""

    ALLOWED = 0
    ANONYMOUS = 4401
    # Missing, cancelled or hidden from the user: one code, so a socket cannot tell which ids
    # exist (the room page answers the same 404).
    NOT_FOUND = 4404
    NOT_OPEN = 4409
    REMOVED = 4410  # the teacher removed this user from this meeting


def room_entry(*, user: AnyUser, meeting_id: int) -> tuple[RoomEntry, Meeting | None]:
    """Decide whether the user may enter the meeting's live room now.

    Shared by the room page and the signaling socket. A missing or cancelled meeting, or one the
    user may not see, is NOT_FOUND; a meeting outside its join window (or ended) is NOT_OPEN.
    """
    if not is_authenticated(user):
        return RoomEntry.ANONYMOUS, None
    meeting = _meeting_for_entry(user=user, meeting_id=meeting_id)
    if (
        meeting is None
        or meeting.status == Meeting.Status.CANCELLED
        or not can_view_meeting(user=user, meeting=meeting)
    ):
        return RoomEntry.NOT_FOUND, None
    if is_removed_from_meeting(user=user, meeting=meeting):
        return RoomEntry.REMOVED, meeting
    if not meeting.is_joinable():
        return RoomEntry.NOT_OPEN, meeting
    return RoomEntry.ALLOWED, meeting


def _meeting_for_entry(*, user: AnyUser, meeting_id: int) -> Meeting | None:
    """The meeting with its course, the user's membership and whether the user was removed from
    the room: one query (the socket checks entry twice on its way to `welcome`)."""
    meetings = with_viewer(
        Meeting.objects.select_related("course", "course__teacher").filter(pk=meeting_id),
        user=user,
        course_field="course_id",
    ).annotate(
        viewer_removed=Exists(
            RoomRemoval.objects.filter(meeting_id=meeting_id, user_id=user.pk or 0)
        )
    )
    meeting = meetings.first()
    if meeting is not None:
        remember_viewer(row=meeting, course=meeting.course, user=user)
    return meeting


def can_join_meeting(*, user: AnyUser, meeting: Meeting) -> bool:
    entry, _ = room_entry(user=user, meeting_id=meeting.pk)
    return entry is RoomEntry.ALLOWED


def is_removed_from_meeting(*, user: AnyUser, meeting: Meeting) -> bool:
    """The teacher removed this user from this meeting's room; they may not come back."""
    if not is_authenticated(user):
        return False
    if getattr(meeting, "viewer_id", None) == user.pk and hasattr(meeting, "viewer_removed"):
        return bool(meeting.viewer_removed)  # annotated by room_entry's query
    return RoomRemoval.objects.filter(meeting_id=meeting.pk, user_id=user.pk or 0).exists()


def can_control_room(*, user: AnyUser, meeting: Meeting) -> bool:
    """Mute all, mute or remove a participant, lower a hand, delete chat, end the meeting:
    the course's staff (its teacher and assistants) run the room."""
    return can_manage_meeting(user=user, meeting=meeting)


def can_raise_hand(*, user: AnyUser, meeting: Meeting) -> bool:
    """Students raise a hand to speak; whoever runs the room, and any teacher, does not."""
    return (
        is_authenticated(user)
        and user.is_student  # type: ignore[union-attr]
        and not can_control_room(user=user, meeting=meeting)
    )


def room_staff_ids(*, meeting_id: int) -> set[int]:
    """The user ids of whoever runs the meeting's room: its course's teacher and assistants (the
    same people as `can_control_room`), or none for a missing meeting. Two small queries."""
    meeting = Meeting.objects.select_related("course").filter(pk=meeting_id).first()
    return set() if meeting is None else course_staff_ids(course=meeting.course)


def can_chat_privately(*, sender_is_staff: bool, recipient_is_staff: bool) -> bool:
    """A private chat line: staff may write to anyone, students only to staff (a question to
    the teacher or an assistant, never a side channel between students)."""
    return sender_is_staff or recipient_is_staff


def waits_to_be_admitted(*, user: AnyUser, meeting: Meeting) -> bool:
    """The meeting has a waiting room and the user must wait in it until the staff let them in.

    The staff never wait; nor does a user who was let in once in this meeting (admitted, or in
    the room before: an attendance row, e.g. from before the setting was turned on).
    """
    if not meeting.waiting_room or not is_authenticated(user):
        return False
    if can_control_room(user=user, meeting=meeting):
        return False
    user_id = user.pk or 0
    return not (
        RoomAdmission.objects.filter(meeting_id=meeting.pk, user_id=user_id).exists()
        or Attendance.objects.filter(meeting_id=meeting.pk, user_id=user_id).exists()
    )
