"""The dashboard: a card per course with its next meeting, unread count and empty states."""

import pytest
from django.urls import reverse

from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_dashboard_cards_show_next_meeting_and_unread_count(client, course, enrollment):
    from datetime import timedelta

    from django.utils import timezone

    from classmeet.notifications.models import Notification

    MeetingFactory.create(
        course=course, title="Ended one", starts_at=timezone.now() - timedelta(hours=3)
    )
    MeetingFactory.create(
        course=course, title="Tomorrow", starts_at=timezone.now() + timedelta(days=1)
    )
    MeetingFactory.create(
        course=course,
        title="Cancelled",
        starts_at=timezone.now() + timedelta(hours=1),
        status=Meeting.Status.CANCELLED,
    )
    for read_at in (None, None, timezone.now()):
        Notification.objects.create(
            recipient=enrollment.student, course=course, kind="upvote", title="t", read_at=read_at
        )
    client.force_login(enrollment.student)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Physics 101" in page
    assert "Tomorrow" in page
    assert "Ended one" not in page
    assert "Cancelled" not in page
    assert '2<span class="visually-hidden"> unread notifications' in page


def test_dashboard_live_meeting_is_shown_as_live(client, course, enrollment, live_meeting):
    client.force_login(enrollment.student)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Live now" in page
    assert live_meeting.title in page


def test_dashboard_teacher_sees_only_taught_courses(client, teacher, course):
    CourseFactory.create(title="Somebody else's")
    client.force_login(teacher)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Physics 101" in page
    assert "Somebody else" not in page


def test_dashboard_empty_states(client, teacher, student):
    client.force_login(teacher)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Create your first course" in page
    client.force_login(student)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Join course" in page
    assert reverse("courses:course-join") in page


def test_dashboard_student_with_courses_still_has_join_form(client, enrollment):
    EnrollmentFactory.create(student=enrollment.student)
    client.force_login(enrollment.student)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert "Join another course" in page
