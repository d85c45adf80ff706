"""Record every join and leave of a meeting room, one row per connection (peer), and the end of
the meeting that closes them all."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.courses.selectors import is_course_staff_member

from ..models import Attendance, Meeting
from .meetings import meeting_mark_started

ClosedBy = Attendance.ClosedBy


def attendance_open(
    *, meeting_id: int, user_id: int, peer_id: str, at: datetime | None = None
) -> Attendance:
    """Record that this peer joined; joining again with the same peer id keeps the first row.

    The meeting row is locked as `meeting_mark_ended` locks it, so a join that lands while the teacher
    ends the meeting is either closed by the end or, coming after it, recorded as ended at once,
    never left open or closed as an ordinary leave. The teacher's first join marks the meeting
    started (the reminder scan locks the same row, so it never reminds of a class under way).
    """
    joined_at = at or timezone.now()
    with transaction.atomic():
        status, teacher_id, started_at, course_id = (
            Meeting.objects.select_for_update(of=("self",))
            .filter(pk=meeting_id)
            .values_list("status", "course__teacher_id", "started_at", "course_id")
            .first()
        ) or (None, None, None, None)
        row, created = Attendance.objects.get_or_create(
            peer_id=peer_id,
            defaults={"meeting_id": meeting_id, "user_id": user_id, "joined_at": joined_at},
        )
        if created and status == Meeting.Status.ENDED:
            row.left_at, row.closed_by = joined_at, ClosedBy.ENDED
            row.save(update_fields=["left_at", "closed_by"])
        elif (
            status == Meeting.Status.SCHEDULED
            and started_at is None
            and (
                user_id == teacher_id
                or is_course_staff_member(course_id=course_id or 0, user_id=user_id)
            )
        ):
            # Staff in the room start the class, even before its time: no more reminders.
            meeting_mark_started(meeting_id=meeting_id, at=joined_at)
    return row


def attendance_close(*, peer_ids: Iterable[str], closed_by: str, at: datetime | None = None) -> int:
    """Close the still-open rows of these peers; return how many were closed.

    A row already closed keeps its first reason: a leave followed by a late heartbeat expiry stays
    a leave. `at` earlier than the join (a clock skew between processes) closes at the join.
    """
    return _close(Q(peer_id__in=list(peer_ids)), closed_by=closed_by, at=at)


def attendance_close_user(
    *, meeting_id: int, user_id: int, closed_by: str, at: datetime | None = None
) -> int:
    """Close every open row of one user in a meeting (all their tabs), e.g. on removal."""
    return _close(Q(meeting_id=meeting_id, user_id=user_id), closed_by=closed_by, at=at)


def attendance_close_meeting(*, meeting_id: int, closed_by: str, at: datetime | None = None) -> int:
    """Close every open row of a meeting, e.g. when it ends for everyone."""
    return _close(Q(meeting_id=meeting_id), closed_by=closed_by, at=at)


@transaction.atomic
def meeting_mark_ended(*, meeting: Meeting) -> Meeting:
    """Mark the meeting ended (the first time only) and close its open attendance; return it.

    The caller closes the room's sockets.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be ended."), "cancelled")
    now = timezone.now()
    if meeting.status != Meeting.Status.ENDED:
        meeting.status = Meeting.Status.ENDED
        meeting.ended_at = now
        meeting.save(update_fields=["status", "ended_at", "updated_at"])
    attendance_close_meeting(meeting_id=meeting.pk, closed_by=ClosedBy.ENDED, at=now)
    return meeting


def _close(where: Q, *, closed_by: str, at: datetime | None) -> int:
    if closed_by not in ClosedBy.values:
        raise ValueError(f"unknown closing reason {closed_by!r}")
    at = at or timezone.now()
    closed = 0
    with transaction.atomic():
        rows = Attendance.objects.select_for_update().filter(where, left_at__isnull=True)
        for row in rows:
            row.left_at = max(at, row.joined_at)
            row.closed_by = closed_by
            row.save(update_fields=["left_at", "closed_by"])
            closed += 1
    return closed
