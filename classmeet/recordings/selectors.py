"""Reads of recordings: what a user may see of a meeting or a course."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from classmeet import access
from classmeet.recordings.models import Recording

if TYPE_CHECKING:
    from classmeet.access import AnyUser
    from classmeet.courses.models import Course
    from classmeet.meetings.models import Meeting


def _visible(qs: QuerySet[Recording], *, user: AnyUser, manager: bool) -> QuerySet[Recording]:
    """Managers see every state; students only finished files."""
    if not manager:
        qs = qs.filter(status=Recording.Status.READY)
    return qs.select_related("meeting", "created_by").order_by("-started_at", "-pk")


def recording_list_for_meeting(*, user: AnyUser, meeting: Meeting) -> QuerySet[Recording]:
    if not access.meetings.can_view_meeting(user=user, meeting=meeting):
        return Recording.objects.none()
    manager = access.meetings.can_manage_meeting(user=user, meeting=meeting)
    return _visible(Recording.objects.filter(meeting=meeting), user=user, manager=manager)


def recording_list_for_course(*, user: AnyUser, course: Course) -> QuerySet[Recording]:
    if not access.courses.can_view_course(user=user, course=course):
        return Recording.objects.none()
    manager = access.courses.can_manage_course(user=user, course=course)
    return _visible(Recording.objects.filter(meeting__course=course), user=user, manager=manager)


def recording_active_for_meeting(*, meeting_id: int) -> Recording | None:
    return (
        Recording.objects.select_related("created_by")
        .filter(meeting_id=meeting_id, status=Recording.Status.RECORDING)
        .first()
    )
