"""The "Start a class now" button of the course page and the dashboard; "Live now" into the room."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classmeet.courses.models import Course
from classmeet.courses.tests.factories import CourseFactory
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def _start_url(course: Course) -> str:
    return reverse("meetings:meeting-start-now", kwargs={"course_id": course.pk})


def _room_url(meeting: Meeting) -> str:
    return reverse("rooms:room", kwargs={"meeting_id": meeting.pk})


def _links(html: str, css_class: str) -> list[str]:
    """Return the href of every <a> carrying css_class."""
    tags = re.findall(r"<a\b[^>]*>", html)
    return [
        re.findall(r'href="([^"]*)"', tag)[0]
        for tag in tags
        if re.search(rf'class="[^"]*\b{css_class}\b', tag)
    ]


def _start_forms(html: str) -> list[str]:
    return re.findall(r'<form method="post" action="([^"]*)"[^>]*start-class-now', html)


def test_teacher_starts_a_class_now_and_lands_in_its_room(client, teacher, course, settings):
    settings.CLASSMEET_INSTANT_MEETING_MINUTES = 50
    client.force_login(teacher)
    before = timezone.now()
    response = client.post(_start_url(course))
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _room_url(meeting)
    assert meeting.course == course
    assert before <= meeting.starts_at <= timezone.now()
    assert meeting.duration_minutes == 50
    assert client.get(response["Location"]).status_code == 200  # the room lets the teacher in


def test_a_second_click_goes_into_the_same_class(client, teacher, course):
    client.force_login(teacher)
    first = client.post(_start_url(course))
    second = client.post(_start_url(course))
    assert Meeting.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


@pytest.mark.parametrize(
    ("role", "status"), [("student", 403), ("outsider", 404), ("other_teacher", 404)]
)
def test_only_the_courses_teacher_can_start_a_class(
    client, course, enrollment, outsider, other_teacher, role, status
):
    people = {"student": enrollment.student, "outsider": outsider, "other_teacher": other_teacher}
    client.force_login(people[role])
    assert client.post(_start_url(course)).status_code == status
    assert not Meeting.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, course):
    response = client.post(_start_url(course))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(django_settings.LOGIN_URL))
    assert not Meeting.objects.exists()


def test_start_now_needs_post_and_a_csrf_token(teacher, course):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    assert client.get(_start_url(course)).status_code == 405
    assert client.post(_start_url(course)).status_code == 403
    assert not Meeting.objects.exists()


def test_a_missing_course_is_404(client, teacher):
    client.force_login(teacher)
    assert client.post(reverse("meetings:meeting-start-now", args=[99999])).status_code == 404


def test_start_now_refused_goes_back_to_the_course_with_the_reason(
    client, teacher, course, settings
):
    settings.CLASSMEET_JOIN_WINDOW_MINUTES = 0
    MeetingFactory.create(
        course=course, title="Exam", starts_at=timezone.now() + timedelta(minutes=2)
    )
    client.force_login(teacher)
    response = client.post(_start_url(course), follow=True)
    assert response.redirect_chain == [(course.get_absolute_url(), 302)]
    assert "“Exam” starts in less than 5 minutes" in response.content.decode()
    assert Meeting.objects.count() == 1


# The controls on the pages ----------------------------------------------------------------------


def test_course_page_offers_the_teacher_start_now_and_not_the_students(client, course, enrollment):
    client.force_login(course.teacher)
    html = client.get(course.get_absolute_url()).content.decode()
    assert _start_forms(html) == [_start_url(course)]
    assert "Start a class now" in html
    client.force_login(enrollment.student)
    html = client.get(course.get_absolute_url()).content.decode()
    assert _start_forms(html) == []
    assert "Start a class now" not in html


def test_dashboard_offers_start_now_on_each_course_the_teacher_owns(client, teacher, course):
    other = CourseFactory.create(teacher=teacher, title="Chemistry")
    CourseFactory.create(title="Not mine")
    client.force_login(teacher)
    html = client.get(reverse("dashboard:dashboard")).content.decode()
    assert sorted(_start_forms(html)) == sorted([_start_url(course), _start_url(other)])


def test_while_a_class_is_live_the_teacher_gets_live_now_instead_of_start(
    client, teacher, course, live_meeting
):
    client.force_login(teacher)
    for url in (reverse("dashboard:dashboard"), course.get_absolute_url()):
        html = client.get(url).content.decode()
        assert _start_forms(html) == [], url
        assert _links(html, "live-now-link") == [_room_url(live_meeting)], url


def test_a_students_live_now_leads_straight_into_the_room(client, enrollment, live_meeting):
    """On the dashboard and on the course page, "Live now" is a link to the room, not to the
    meeting's page."""
    client.force_login(enrollment.student)
    for url in (reverse("dashboard:dashboard"), enrollment.course.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Live now" in html, url
        assert _links(html, "live-now-link") == [_room_url(live_meeting)], url


def test_no_live_now_link_for_an_upcoming_or_cancelled_meeting(client, enrollment):
    course = enrollment.course
    MeetingFactory.create(course=course, starts_at=timezone.now() + timedelta(days=1))
    MeetingFactory.create(course=course, status=Meeting.Status.CANCELLED)
    client.force_login(enrollment.student)
    for url in (reverse("dashboard:dashboard"), course.get_absolute_url()):
        html = client.get(url).content.decode()
        assert _links(html, "live-now-link") == [], url
        assert "Live now" not in html, url
