"""Reads of the dashboard: the user's courses as cards. Each runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.models import Course, CourseAssistant
from classmeet.meetings.models import MAX_DURATION, Meeting
from classmeet.notifications.models import Notification


@dataclass
class CourseCard:
    """A course as the dashboard shows it."""

    course: Course
    next_meeting: Meeting | None = None
    unread_count: int = 0
    is_assistant: bool = False  # the user assists this course (staff, not its owner)


def _recent_start(now: datetime) -> datetime:
    return now - timedelta(minutes=MAX_DURATION)


def _next_meeting(course: Course, now: datetime) -> Meeting | None:
    meetings: list[Meeting] = [*course.recent_meetings, *course.future_meetings]  # type: ignore[attr-defined]
    for meeting in meetings:
        if meeting.phase(now) in (Meeting.Phase.LIVE, Meeting.Phase.UPCOMING):
            return meeting
    return None


def course_card_list(*, user: User, now: datetime | None = None) -> list[CourseCard]:
    """Return the cards of the courses the user teaches (teacher) or attends (student), and
    those they assist (either role).

    Four queries whatever the number of courses: the courses, the meetings that may still be
    running, the next future meeting of each course (a per-course slice done with a window
    function) and the unread notification counts.
    """
    now = now or timezone.now()
    courses = Course.objects.select_related("teacher")
    assisted = CourseAssistant.objects.filter(user_id=user.pk)
    if user.is_teacher:
        courses = courses.filter(Q(teacher=user) | Q(pk__in=assisted.values("course_id")))
    else:
        courses = courses.filter(
            Q(enrollments__student=user) | Q(pk__in=assisted.values("course_id"))
        )
    courses = courses.annotate(viewer_assists=Exists(assisted.filter(course_id=OuterRef("pk"))))
    scheduled = Meeting.objects.filter(status=Meeting.Status.SCHEDULED).order_by("starts_at", "id")
    courses = courses.prefetch_related(
        Prefetch(
            "meetings",
            queryset=scheduled.filter(starts_at__gte=_recent_start(now), starts_at__lte=now),
            to_attr="recent_meetings",
        ),
        Prefetch(
            "meetings", queryset=scheduled.filter(starts_at__gt=now)[:1], to_attr="future_meetings"
        ),
    )
    course_list = list(courses.distinct())
    if not course_list:
        return []
    unread = dict(
        Notification.objects.filter(
            recipient=user, read_at__isnull=True, course__in=[c.pk for c in course_list]
        )
        .values_list("course_id")
        .annotate(n=Count("id"))
        .values_list("course_id", "n")
    )
    return [
        CourseCard(
            course=course,
            next_meeting=_next_meeting(course, now),
            unread_count=unread.get(course.pk, 0),
            is_assistant=bool(course.viewer_assists),
        )
        for course in course_list
    ]
