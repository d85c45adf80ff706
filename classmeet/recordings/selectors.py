"""Reads of recordings: a meeting's or a course's list, and the one being recorded.

The lists trust the caller's access decision (`access.meetings`, `access.courses`): it passes
whether the user manages the meeting or course, after checking that the user sees it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from classmeet.core.batch import Planned, batched_raw
from classmeet.meetings.models import Meeting
from classmeet.recordings.models import Recording

if TYPE_CHECKING:
    from classmeet.courses.models import Course


def _visible(qs: QuerySet[Recording], *, manager: bool) -> QuerySet[Recording]:
    """Managers see every state; students only finished files."""
    if not manager:
        qs = qs.filter(status=Recording.Status.READY)
    return qs.select_related("meeting", "created_by").order_by("-started_at", "-pk")


def recording_list_for_meeting(*, meeting: Meeting, manager: bool) -> QuerySet[Recording]:
    return _visible(Recording.objects.filter(meeting=meeting), manager=manager)


# The course page's panel in one written-out statement: its columns and each meeting's title,
# nothing else (the ORM spent several times the query's own time building the join).
_COURSE_SQL = (
    'SELECT r."id", r."meeting_id", r."title", r."status", r."started_at", r."file_name",'
    ' r."duration_seconds", r."size_bytes", r."progress", r."failure_reason",'
    ' m."title" AS "meeting_title"'
    ' FROM "recordings_recording" r INNER JOIN "meetings_meeting" m ON m."id" = r."meeting_id"'
    ' WHERE m."course_id" = %s{status}'
    ' ORDER BY r."started_at" DESC, r."id" DESC'
)
_COURSE_SQL_ALL = _COURSE_SQL.format(status="")
_COURSE_SQL_READY = _COURSE_SQL.format(status=' AND r."status" = %s')


def recording_list_for_course_plan(*, course: Course, manager: bool) -> Planned[list[Recording]]:
    """Plan `recording_list_for_course`'s read, to run with the course page's other sections."""
    if manager:
        rows = batched_raw(Recording, _COURSE_SQL_ALL, [course.pk])
    else:
        rows = batched_raw(Recording, _COURSE_SQL_READY, [course.pk, Recording.Status.READY])
    return Planned(rows, _with_meeting_titles)


def _with_meeting_titles(rows: list[Recording]) -> list[Recording]:
    for recording in rows:
        recording.meeting = Meeting.from_db(
            Recording.objects.db,
            ["id", "title"],
            [recording.meeting_id, recording.meeting_title],  # type: ignore[attr-defined]
        )
    return rows


def recording_list_for_course(*, course: Course, manager: bool) -> list[Recording]:
    """The course page's panel: every state for managers, finished files for students; each
    recording carries its meeting with the title only."""
    return recording_list_for_course_plan(course=course, manager=manager).result()


def recording_active_for_meeting(*, meeting_id: int) -> Recording | None:
    return (
        Recording.objects.select_related("created_by")
        .filter(meeting_id=meeting_id, status=Recording.Status.RECORDING)
        .first()
    )
