"""Removals from a meeting's room: a removed participant may not rejoin that meeting."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from classmeet.courses.selectors import course_staff_ids

from ..models import Attendance, Meeting, RoomRemoval
from .attendance import attendance_close_user


@transaction.atomic
def room_removal_record(*, meeting: Meeting, user_id: int, by_id: int) -> RoomRemoval:
    """Record that the user may not rejoin this meeting and close their open attendance.

    Removing twice keeps the first row. The caller closes the user's sockets.
    """
    if user_id in course_staff_ids(course=meeting.course):
        raise ValidationError(_("The course's staff cannot be removed from its class."), "teacher")
    removal, _created = RoomRemoval.objects.get_or_create(
        meeting=meeting, user_id=user_id, defaults={"by_id": by_id}
    )
    attendance_close_user(
        meeting_id=meeting.pk, user_id=user_id, closed_by=Attendance.ClosedBy.REMOVED
    )
    return removal
