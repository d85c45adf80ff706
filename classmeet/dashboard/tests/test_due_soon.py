"""The dashboard's "Due soon" card: a student's work due in the next 7 days (the To do list's
selector), in one query whatever the number of courses."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.coursework.tests.due_factories import QuizFactory, SubmissionFactory
from classmeet.coursework.tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def url():
    return reverse("dashboard:dashboard")


def test_student_sees_work_due_in_the_next_7_days(client, url, course, enrollment, student):
    now = timezone.now()
    AssignmentFactory.create(course=course, title="Essay", due_at=now + timedelta(days=2))
    AssignmentFactory.create(course=course, title="Far off", due_at=now + timedelta(days=8))
    done = AssignmentFactory.create(course=course, title="Handed in")
    SubmissionFactory.create(assignment=done, student=student)
    QuizFactory.create(course=course, title="Quiz 1", closes_at=now + timedelta(days=1))
    AssignmentFactory.create(
        course=course, title="Late", due_at=now - timedelta(days=1), accepts_late=True
    )
    client.force_login(student)
    response = client.get(url)
    assert [i.title for i in response.context["due_soon"]] == ["Late", "Quiz 1", "Essay"]
    html = response.content.decode()
    assert "Due soon" in html
    assert "Overdue" in html
    assert "Far off" not in html
    assert reverse("coursework:todo") in html


def test_no_card_when_nothing_is_due(client, url, course, enrollment, student):
    AssignmentFactory.create(course=course, due_at=timezone.now() + timedelta(days=30))
    client.force_login(student)
    response = client.get(url)
    assert response.context["due_soon"] == []
    assert "Due soon" not in response.content.decode()


def test_teachers_get_no_card_and_no_query_for_it(
    client, url, course, teacher, enrollment, django_assert_max_num_queries
):
    AssignmentFactory.create(course=course, due_at=timezone.now() + timedelta(days=1))
    client.force_login(teacher)
    client.get(url)
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert response.context["due_soon"] == []


def test_due_soon_costs_one_query_whatever_the_courses(
    client, url, student, django_assert_max_num_queries
):
    def add(count: int) -> None:
        now = timezone.now()
        for _ in range(count):
            course = CourseFactory.create()
            EnrollmentFactory.create(course=course, student=student)
            AssignmentFactory.create(course=course, due_at=now + timedelta(days=1))
            QuizFactory.create(course=course, closes_at=now + timedelta(days=2))

    client.force_login(student)
    add(1)
    client.get(url)
    with django_assert_max_num_queries(7) as small:
        response = client.get(url)
    assert len(response.context["due_soon"]) == 2
    add(19)
    with django_assert_max_num_queries(7) as large:
        response = client.get(url)
    assert len(response.context["due_soon"]) == 40
    assert len(large.captured_queries) == len(small.captured_queries)
