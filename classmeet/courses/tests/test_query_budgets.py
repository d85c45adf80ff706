"""The dashboard and the course page run the same number of queries for 1 or many rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory, MaterialFactory
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db

# Generous enough for the session, user and navbar queries; the point is that it does not grow.
DASHBOARD_BUDGET = 10
DETAIL_BUDGET = 9  # 8 with the cache-backed sessions of production (tests keep sessions in the DB)


def add_courses(*, teacher: User, student: User, count: int) -> None:
    now = timezone.now()
    for _ in range(count):
        course = CourseFactory.create(teacher=teacher)
        EnrollmentFactory.create(course=course, student=student)
        MeetingFactory.create(course=course)  # live
        MeetingFactory.create(course=course, starts_at=now + timedelta(days=2))
        MeetingFactory.create(course=course, starts_at=now - timedelta(days=2))
        Notification.objects.create(recipient=student, course=course, kind="upvote", title="t")
        Notification.objects.create(recipient=teacher, course=course, kind="upvote", title="t")


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_dashboard_query_count_does_not_grow_with_courses(
    client, teacher, student, role, django_assert_max_num_queries
):
    user = {"teacher": teacher, "student": student}[role]
    client.force_login(user)
    url = reverse("core:dashboard")
    add_courses(teacher=teacher, student=student, count=1)
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        client.get(url)
    small = count_queries(client, url)

    add_courses(teacher=teacher, student=student, count=8)
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        response = client.get(url)
    assert len(response.context["cards"]) == 9
    assert count_queries(client, url) == small


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_course_detail_query_count_does_not_grow_with_rows(
    client, course, enrollment, role, django_assert_max_num_queries
):
    user = {"teacher": course.teacher, "student": enrollment.student}[role]
    client.force_login(user)
    url = course.get_absolute_url()
    MaterialFactory.create(course=course)
    MeetingFactory.create(course=course)
    with django_assert_max_num_queries(DETAIL_BUDGET):
        client.get(url)
    small = count_queries(client, url)

    now = timezone.now()
    for i in range(10):
        MaterialFactory.create(course=course)
        EnrollmentFactory.create(course=course, student=StudentFactory.create())
        MeetingFactory.create(course=course, starts_at=now + timedelta(days=i + 1))
        MeetingFactory.create(course=course, starts_at=now - timedelta(days=i + 1))
        CommentFactory.create(discussion=DiscussionFactory.create(course=course))
    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(url)
    assert len(response.context["materials"]) == 11
    assert count_queries(client, url) == small
