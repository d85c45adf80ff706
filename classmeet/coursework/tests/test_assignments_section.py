"""The course page's "Assignments" section ({% course_assignments course %})."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.models import Assignment, AssignmentStudent
from classmeet.coursework.services.assignments import submission_create
from classmeet.coursework.tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def section(html: str) -> str:
    start = html.index('class="card shadow-sm mb-4 course-assignments"')
    return html[start : html.index("</section>", start)]


def test_staff_see_published_work_due_next_and_the_way_to_all(client, course, enrollment):
    AssignmentFactory.create(course=course, title="Essay")
    AssignmentFactory.create(course=course, title="Secret draft", status=Assignment.Status.DRAFT)
    AssignmentFactory.create(course=course, title="Past", due_at=timezone.now() - timedelta(days=1))
    client.force_login(course.teacher)
    html = section(client.get(course.get_absolute_url()).content.decode())
    assert "Essay" in html
    assert "Secret draft" not in html
    assert "Past" not in html
    assert reverse("coursework:assignment-list", kwargs={"course_id": course.pk}) in html
    assert reverse("coursework:assignment-create", kwargs={"course_id": course.pk}) in html


def test_students_see_their_open_work_with_its_status(client, course, enrollment):
    done = AssignmentFactory.create(course=course, title="Handed in", submission_type="text")
    AssignmentFactory.create(course=course, title="To do")
    AssignmentFactory.create(
        course=course,
        title="Late is fine",
        accepts_late=True,
        due_at=timezone.now() - timedelta(days=2),
    )
    other = AssignmentFactory.create(course=course, title="For someone else")
    AssignmentStudent.objects.create(
        assignment=other, student=EnrollmentFactory.create(course=course).student
    )
    submission_create(
        assignment=done, student=enrollment.student, text="Done", files=[], client_token=""
    )
    client.force_login(enrollment.student)
    html = section(client.get(course.get_absolute_url()).content.decode())
    assert "Handed in" in html
    assert 'data-status="submitted"' in html
    assert "To do" in html
    assert "Late is fine" in html
    assert "For someone else" not in html
    assert reverse("coursework:assignment-create", kwargs={"course_id": course.pk}) not in html
