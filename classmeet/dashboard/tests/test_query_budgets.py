"""The dashboard runs the same number of queries for 1 or many courses."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db

# Generous enough for the session, user and navbar queries; the point is that it does not grow.
DASHBOARD_BUDGET = 10


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


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_dashboard_query_count_does_not_grow_with_courses(
    client, teacher, student, role, django_assert_max_num_queries
):
    user = {"teacher": teacher, "student": student}[role]
    client.force_login(user)
    url = reverse("dashboard:dashboard")
    add_courses(teacher=teacher, student=student, count=1)
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        client.get(url)
    with django_assert_max_num_queries(DASHBOARD_BUDGET) as small:
        assert client.get(url).status_code == 200

    add_courses(teacher=teacher, student=student, count=8)
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        response = client.get(url)
    assert len(response.context["cards"]) == 9
    with django_assert_max_num_queries(DASHBOARD_BUDGET) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
