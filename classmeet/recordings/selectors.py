"""Reads of recordings: a meeting's or a course's list, and the one being recorded.

The lists trust the caller's access decision (`access.meetings`, `access.courses`): it passes
whether the user manages the meeting or course, after checking that the user sees it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from classmeet.recordings.models import Recording

if TYPE_CHECKING:
    from classmeet.courses.models import Course
    from classmeet.meetings.models import Meeting


def _visible(qs: QuerySet[Recording], *, manager: bool) -> QuerySet[Recording]:
    """Managers see every state; students only finished files."""
    if not manager:
        qs = qs.filter(status=Recording.Status.READY)
    return qs.select_related("meeting", "created_by").order_by("-started_at", "-pk")


def recording_list_for_meeting(*, meeting: Meeting, manager: bool) -> QuerySet[Recording]:
    return _visible(Recording.objects.filter(meeting=meeting), manager=manager)


def recording_list_for_course(*, course: Course, manager: bool) -> QuerySet[Recording]:
    """The course page's panel: its columns and each meeting's title, nothing else."""
    qs = Recording.objects.filter(meeting__course_id=course.pk)
    if not manager:
        qs = qs.filter(status=Recording.Status.READY)
    return (
        qs.select_related("meeting")
        .only(
            "meeting__title",
            "title",
            "status",
            "started_at",
            "file_name",
            "duration_seconds",
            "size_bytes",
            "progress",
            "failure_reason",
        )
        .order_by("-started_at", "-pk")
    )


def recording_active_for_meeting(*, meeting_id: int) -> Recording | None:
    return (
        Recording.objects.select_related("created_by")
        .filter(meeting_id=meeting_id, status=Recording.Status.RECORDING)
        .first()
    )
