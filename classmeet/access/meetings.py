"""Meetings and their class record (attendance, chat log): a meeting follows its course.

The course's staff (teacher and assistants) schedule, edit, cancel and start its meetings and
read their reports."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from classmeet.access.courses import (
    can_manage_course,
    can_view_course,
    remember_viewer,
    with_viewer,
)
from classmeet.accounts.selectors import AnyUser
from classmeet.courses.models import Course
from classmeet.meetings.models import Meeting


def can_view_meeting(*, user: AnyUser, meeting: Meeting) -> bool:
    return can_view_course(user=user, course=meeting.course)


def can_manage_meeting(*, user: AnyUser, meeting: Meeting) -> bool:
    return can_manage_course(user=user, course=meeting.course)


def access_meeting(*, user: AnyUser, meeting_id: int) -> Meeting:
    """Return the meeting, or raise Http404 if it is missing or hidden from the user."""
    meeting = meeting_with_viewer(user=user, meeting_id=meeting_id)
    if meeting is None or not can_view_meeting(user=user, meeting=meeting):
        raise Http404
    return meeting


def meeting_with_viewer(*, user: AnyUser, meeting_id: int) -> Meeting | None:
    """Return the meeting with its course, and the user's membership of it, in one query."""
    meetings = Meeting.objects.select_related("course", "course__teacher").filter(pk=meeting_id)
    meeting = with_viewer(meetings, user=user, course_field="course_id").first()
    if meeting is not None:
        remember_viewer(row=meeting, course=meeting.course, user=user)
    return meeting


def access_meeting_for_manage(*, user: AnyUser, meeting_id: int) -> Meeting:
    meeting = access_meeting(user=user, meeting_id=meeting_id)
    if not can_manage_meeting(user=user, meeting=meeting):
        raise PermissionDenied
    return meeting


def can_view_attendance(*, user: AnyUser, meeting: Meeting) -> bool:
    return can_manage_meeting(user=user, meeting=meeting)


def can_view_chat_log(*, user: AnyUser, meeting: Meeting) -> bool:
    return can_manage_meeting(user=user, meeting=meeting)


def can_view_course_attendance(*, user: AnyUser, course: Course) -> bool:
    return can_manage_course(user=user, course=course)
