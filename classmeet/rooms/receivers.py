"""Receivers of the hooks of the apps below rooms (connected in RoomsConfig.ready())."""

from __future__ import annotations

from typing import Any

from classmeet.courses.models import CourseAssistant, Enrollment
from classmeet.meetings.selectors import meeting_open_id_list
from classmeet.rooms.services.controls import EVENT_REMOVED
from classmeet.rooms.services.events import room_event_send


def enrollment_removed_close_sockets(
    sender: type[Enrollment],
    *,
    course_id: int,
    student_id: int,
    removed_by_id: int | None,
    **kwargs: Any,
) -> None:
    """Close the removed student's sockets in the course's open rooms.

    The room consumer handles the same event as the teacher's "remove from class".
    """
    _close_sockets(course_id=course_id, user_id=student_id, removed_by_id=removed_by_id)


def assistant_removed_close_sockets(
    sender: type[CourseAssistant],
    *,
    course_id: int,
    user_id: int,
    removed_by_id: int | None,
    **kwargs: Any,
) -> None:
    """Close a former assistant's sockets in the course's open rooms: each socket decided once
    that they run the room, and they no longer even see the course."""
    _close_sockets(course_id=course_id, user_id=user_id, removed_by_id=removed_by_id)


def _close_sockets(*, course_id: int, user_id: int, removed_by_id: int | None) -> None:
    for meeting_id in meeting_open_id_list(course_id=course_id):
        room_event_send(
            meeting_id=meeting_id,
            event={"type": EVENT_REMOVED, "user_id": user_id, "by_id": removed_by_id},
        )
