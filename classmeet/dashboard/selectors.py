"""Reads of the dashboard: the user's courses as cards. Each runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.models import Course
from classmeet.meetings.models import MAX_DURATION, Meeting
from classmeet.notifications.models import Notification


@dataclass(frozen=True, slots=True)
class NextMeeting:
    """The meeting a card shows: live now, else the next one scheduled."""

    id: int
    title: str
    starts_at: datetime
    live: bool


@dataclass(frozen=True, slots=True)
class CourseCard:
    """A course as the dashboard shows it: plain values, no model rows (50 cards per page)."""

    course_id: int
    title: str
    updated_at: datetime
    teacher_id: int
    teacher_name: str
    unread_count: int = 0
    next_meeting: NextMeeting | None = None


def course_card_list(*, user: User, now: datetime | None = None) -> list[CourseCard]:
    """Return the cards of the courses the user teaches (teacher) or attends (student).

    Two queries whatever the number of courses: the courses with their teacher and the user's
    unread count, then the next meeting of each course (a per-course window function).
    """
    now = now or timezone.now()
    courses = Course.objects.all()
    if user.is_teacher:
        courses = courses.filter(teacher=user)
    else:  # one enrollment per (course, student): the join repeats no course
        courses = courses.filter(enrollments__student=user)
    unread = (
        Notification.objects.filter(
            recipient_id=user.pk, read_at__isnull=True, course_id=OuterRef("pk")
        )
        .order_by()
        .values("course_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = courses.annotate(
        unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
    ).values_list(
        "pk",
        "title",
        "updated_at",
        "teacher_id",
        "teacher__first_name",
        "teacher__last_name",
        "teacher__username",
        "unread",
    )
    course_rows = list(rows)
    if not course_rows:
        return []
    meetings = _next_meetings([row[0] for row in course_rows], now)
    names: dict[int, str] = {}
    cards = []
    for pk, title, updated_at, teacher_id, first_name, last_name, username, unread_count in (
        course_rows
    ):
        if teacher_id not in names:  # the User model's own display_name, once per teacher
            teacher = User(first_name=first_name, last_name=last_name, username=username)
            names[teacher_id] = teacher.display_name
        cards.append(
            CourseCard(
                course_id=pk,
                title=title,
                updated_at=updated_at,
                teacher_id=teacher_id,
                teacher_name=names[teacher_id],
                unread_count=unread_count,
                next_meeting=meetings.get(pk),
            )
        )
    return cards


def _next_meetings(course_ids: list[int], now: datetime) -> dict[int, NextMeeting]:
    """{course id: its first scheduled meeting that is live or upcoming} in one query.

    A scheduled meeting is live or upcoming exactly while it has not ended (Meeting.phase);
    only those that started less than MAX_DURATION ago can still be running.
    """
    minutes = Func(
        F("duration_minutes"),
        template="make_interval(mins => %(expressions)s)",
        output_field=DurationField(),
    )
    rows = (
        Meeting.objects.filter(
            course_id__in=course_ids,
            status=Meeting.Status.SCHEDULED,
            starts_at__gte=now - timedelta(minutes=MAX_DURATION),
        )
        .alias(ends=ExpressionWrapper(F("starts_at") + minutes, output_field=DateTimeField()))
        .filter(ends__gt=now)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=F("course_id"), order_by=(F("starts_at"), F("id"))
            )
        )
        .filter(rank=1)
        .values_list("course_id", "id", "title", "starts_at")
    )
    return {
        course_id: NextMeeting(id=pk, title=title, starts_at=starts_at, live=starts_at <= now)
        for course_id, pk, title, starts_at in rows
    }
