"""Every list endpoint runs the same number of queries for 2 rows as for 12 (no N+1)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory, MaterialFactory
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.meetings.models import Attendance
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db

# Token lookup, page count, page rows, and what the endpoint's selector needs besides.
BUDGET = 8


def _add_rows(n: int, teacher, course, meeting, discussion) -> None:
    """Add n more rows of every kind the list endpoints show, each with its own relations."""
    for i in range(n):
        student = StudentFactory.create()
        EnrollmentFactory.create(course=course, student=student)
        CourseFactory.create(teacher=teacher)
        MaterialFactory.create(course=course)
        MeetingFactory.create(
            course=course, starts_at=timezone.now() + timedelta(days=i + 1, minutes=7 * i)
        )
        DiscussionFactory.create(course=course, author=student)
        CommentFactory.create(discussion=discussion, author=student)
        Notification.objects.create(
            recipient=teacher, actor=student, course=course, kind="enrolled", title=f"n{i}"
        )
        Attendance.objects.create(meeting=meeting, user=student, peer_id=f"peer-{student.pk}")


LISTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "course-list": lambda w: reverse("api:course-list"),
    "meeting-list": lambda w: reverse("api:meeting-list"),
    "meeting-list-upcoming": lambda w: reverse("api:meeting-list") + "?phase=upcoming",
    "material-list": lambda w: reverse("api:material-list", kwargs={"course_id": w["course"].pk}),
    "enrollment-list": lambda w: reverse(
        "api:enrollment-list", kwargs={"course_id": w["course"].pk}
    ),
    "discussion-list": lambda w: reverse("api:discussion-list"),
    "comment-list": lambda w: reverse(
        "api:comment-list", kwargs={"discussion_id": w["discussion"].pk}
    ),
    "notification-list": lambda w: reverse("api:notification-list"),
    "meeting-attendance": lambda w: reverse(
        "api:meeting-attendance", kwargs={"meeting_id": w["meeting"].pk}
    ),
}


@pytest.mark.parametrize("name", list(LISTS))
def test_list_endpoint_queries_do_not_grow_with_rows(token_client, teacher, course, name):
    meeting = MeetingFactory.create(course=course)
    discussion = DiscussionFactory.create(course=course)
    world = {"course": course, "meeting": meeting, "discussion": discussion}
    client = token_client(teacher)
    url = LISTS[name](world)
    counts = []
    for n in (2, 10):
        _add_rows(n, teacher, course, meeting, discussion)
        client.get(url)  # warm-up: last_used_at is written at most once a minute
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) >= n
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries for 2 rows, {counts[1]} for 12"
    assert counts[1] <= BUDGET, f"{name}: {counts[1]} queries"


# Coursework ---------------------------------------------------------------------------------


def _add_coursework(n: int, course, student) -> None:
    """Add n more of every coursework row the lists show: students with submissions and grades,
    assignments (one of them named for some students), quizzes with questions and attempts."""
    from decimal import Decimal

    from classmeet.coursework.models import AssignmentStudent, Grade
    from classmeet.coursework.services.quizzes import attempt_start, attempt_submit
    from classmeet.coursework.tests.factories import AssignmentFactory
    from classmeet.coursework.tests.grading_factories import SubmissionFactory
    from classmeet.coursework.tests.quiz_factories import QuizFactory, single_question

    first = course.assignments.order_by("pk").first()
    for i in range(n):
        other = StudentFactory.create()
        EnrollmentFactory.create(course=course, student=other)
        assignment = AssignmentFactory.create(course=course)
        if i == 0:  # for another student alone: not in the student's list
            named = AssignmentFactory.create(course=course)
            AssignmentStudent.objects.create(assignment=named, student=other)
        for who in (student, other):
            SubmissionFactory.create(assignment=assignment, student=who)
            Grade.objects.create(
                item=assignment.grade_item, student=who, points=Decimal(5), graded_at=timezone.now()
            )
        assignment.grade_item.released_at = timezone.now() - timedelta(minutes=1)
        assignment.grade_item.save()
        if first is not None:
            SubmissionFactory.create(assignment=first, student=other)
        quiz = QuizFactory.create(course=course)
        single_question(quiz)
        attempt_submit(attempt=attempt_start(quiz=quiz, student=student))
        attempt_start(quiz=quiz, student=other)
        first_quiz = course.quizzes.order_by("pk").first()
        if first_quiz is not None and first_quiz.pk != quiz.pk:
            attempt_start(quiz=first_quiz, student=other)


COURSEWORK_LISTS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "assignment-list-staff": (
        "teacher",
        lambda c: reverse("api:assignment-list", kwargs={"course_id": c.pk}),
    ),
    "assignment-list-student": (
        "student",
        lambda c: reverse("api:assignment-list", kwargs={"course_id": c.pk}),
    ),
    "submission-list": (
        "teacher",
        lambda c: reverse(
            "api:submission-list", kwargs={"assignment_id": c.assignments.order_by("pk")[0].pk}
        ),
    ),
    "my-grade-list": (
        "student",
        lambda c: reverse("api:my-grade-list", kwargs={"course_id": c.pk}),
    ),
    "quiz-list-staff": ("teacher", lambda c: reverse("api:quiz-list", kwargs={"course_id": c.pk})),
    "quiz-list-student": (
        "student",
        lambda c: reverse("api:quiz-list", kwargs={"course_id": c.pk}),
    ),
    "quiz-result-list": (
        "teacher",
        lambda c: reverse(
            "api:quiz-result-list", kwargs={"quiz_id": c.quizzes.order_by("pk")[0].pk}
        ),
    ),
    "gradebook-detail": (
        "teacher",
        lambda c: reverse("api:gradebook-detail", kwargs={"course_id": c.pk}),
    ),
}


@pytest.mark.parametrize("name", list(COURSEWORK_LISTS))
def test_coursework_list_queries_do_not_grow_with_rows(
    token_client, teacher, student, course, enrollment, name
):
    role, url_of = COURSEWORK_LISTS[name]
    client = token_client(teacher if role == "teacher" else student)
    counts = []
    for n in (2, 10):
        _add_coursework(n, course, student)
        url = url_of(course)
        client.get(url)  # warm-up: last_used_at is written at most once a minute
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        rows = body["rows"] if name == "gradebook-detail" else body["results"]
        assert len(rows) >= n
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries for 2 rows, {counts[1]} for 12"
    assert counts[1] <= BUDGET, f"{name}: {counts[1]} queries"
