"""The course page runs the same number of queries for 1 or many rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.services import assistant_add
from classmeet.courses.tests.factories import EnrollmentFactory, MaterialFactory
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

# SQLite's count (a statement a section: session, user, course, materials, meetings, recordings,
# discussions, assignments, the staff's roster, unread count); PostgreSQL runs the sections
# together with the unread count (4, below). Production's cache-backed sessions save one more.
DETAIL_BUDGET = 10


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["teacher", "student", "assistant"])
def test_course_detail_query_count_does_not_grow_with_rows(
    client, course, enrollment, role, django_assert_max_num_queries
):
    assistant = TeacherFactory.create()
    assistant_add(course=course, user=assistant)
    user = {"teacher": course.teacher, "student": enrollment.student, "assistant": assistant}[role]
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
        AssignmentFactory.create(course=course, due_at=now + timedelta(days=i + 1))
    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(url)
    assert len(response.context["materials"]) == 11
    assert count_queries(client, url) == small


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_course_page_sections_travel_together_on_postgresql(client, course, enrollment, role):
    """Materials, meetings, recordings, discussions, assignments (and the staff's roster) are one
    statement on PostgreSQL (core.batch); on SQLite one each, with nothing to save in-process."""
    MaterialFactory.create(course=course)
    MeetingFactory.create(course=course)
    DiscussionFactory.create(course=course)
    client.force_login(course.teacher if role == "teacher" else enrollment.student)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(course.get_absolute_url())
    assert response.status_code == 200
    sections = [q["sql"] for q in ctx.captured_queries if '"courses_material"' in q["sql"]]
    assert len(sections) == 1
    together = (
        '"meetings_meeting"',
        '"recordings_recording"',
        '"discussions_discussion"',
        '"coursework_assignment"',
    )
    if connection.vendor == "postgresql":
        assert all(table in sections[0] for table in together)
        assert ('"courses_enrollment" e' in sections[0]) == (role == "teacher")
        assert '"notifications_notification"' in sections[0]  # the navbar's unread count
        assert len(ctx.captured_queries) == 4  # session, user, course, sections and count
    else:
        assert not any(table in sections[0] for table in together)
    assert len(response.context["materials"]) == 1
