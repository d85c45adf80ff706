"""Coursework in the users' calendar feeds: assignments' due dates and quizzes' closes.

Registered with meetings.ics from CourseworkConfig.ready(): a student's feed has the published
assignments assigned to them and the published quizzes of the courses they attend; a teacher's
or assistant's every published one of the courses they staff. A course's calendar has the same,
of that course only.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.accounts.models import User
from classmeet.core.links import id_url_for
from classmeet.courses.models import Enrollment
from classmeet.courses.selectors import course_staff_q
from classmeet.meetings.ics import CalendarEntry
from classmeet.meetings.selectors import CALENDAR_PAST_DAYS

from .models import Assignment, Quiz
from .selectors.assignments import assigned_to_q


def coursework_calendar_entries(user: User, course_id: int | None = None) -> list[CalendarEntry]:
    """Return the user's due dates and quiz closes from CALENDAR_PAST_DAYS ago on, of one course
    when course_id is given. Two queries."""
    since = timezone.now() - timedelta(days=CALENDAR_PAST_DAYS)
    of_course = Q() if course_id is None else Q(course_id=course_id)
    enrolled = Exists(
        Enrollment.objects.filter(course_id=OuterRef("course_id"), student_id=user.pk)
    )
    staffed = course_staff_q(user=user, prefix="course__")
    assignments = (
        Assignment.objects.filter(of_course, status=Assignment.Status.PUBLISHED, due_at__gte=since)
        .filter(staffed | (Q(enrolled) & assigned_to_q(student_id=user.pk)))
        .order_by("due_at", "pk")
        .values_list("pk", "title", "course__title", "due_at", "updated_at")
    )
    quizzes = (
        Quiz.objects.filter(of_course, status=Quiz.Status.PUBLISHED, closes_at__gte=since)
        .filter(staffed | Q(enrolled))
        .order_by("closes_at", "pk")
        .values_list("pk", "title", "course__title", "closes_at", "updated_at")
    )
    kinds = (
        ("assignment", _("Due: %(title)s (%(course)s)"), assignments, "assignment-detail"),
        ("quiz", _("Quiz closes: %(title)s (%(course)s)"), quizzes, "quiz-detail"),
    )
    entries = []
    for kind, summary, rows, url_name in kinds:
        url = id_url_for(f"coursework:{url_name}", f"{kind}_id")
        entries += [
            CalendarEntry(
                uid=f"{kind}-{pk}",
                summary=summary % {"title": title, "course": course},
                at=at,
                path=url(pk),
                updated_at=updated_at,
            )
            for pk, title, course, at, updated_at in rows
        ]
    return entries
