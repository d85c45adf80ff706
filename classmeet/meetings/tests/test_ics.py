"""The .ics downloads never fail on stored text, and titles are one line when written."""

import unicodedata
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Component
from rest_framework.test import APIClient

from classmeet.accounts.models import User
from classmeet.meetings.ics import calendar_build
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def _valid_events(body: bytes) -> list[Component]:
    """Check body is RFC 5545 text (CRLF lines, no control character) and return its events."""
    text = body.decode()
    assert text.endswith("\r\n")
    for line in text.split("\r\n"):
        assert not any(c != "\t" and unicodedata.category(c) == "Cc" for c in line), repr(line)
    return Calendar.from_ical(body).walk("VEVENT")


def _future(days: int = 1) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


@pytest.fixture
def token_client():
    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def stored_two_line_meeting(enrollment):
    """A meeting written before titles were checked (a newline, a BEL, ; and ,)."""
    return MeetingFactory.create(
        course=enrollment.course,
        starts_at=_future(),
        title="A\nB;\r\nC,\x07D",  # PostgreSQL stores no NUL: BEL stands for the others
        description="line one\r\nline two\x1b; end",
    )


def test_calendar_build_escapes_line_breaks_and_drops_control_characters(
    stored_two_line_meeting,
):
    body = calendar_build(
        meetings=[stored_two_line_meeting],
        absolute_url=lambda path: f"http://testserver{path}",
        name=stored_two_line_meeting.title,
    )
    (event,) = _valid_events(body)
    assert str(event["summary"]) == "A\nB;\nC,D (Physics 101)"
    assert str(event["description"]).startswith("line one\nline two; end\n\nhttp://testserver/")
    assert "SUMMARY:A\\nB\\;\\nC\\,D (Physics 101)\r\n" in body.decode()
    assert "X-WR-CALNAME:A B\\; C\\,D\r\n" in body.decode()


def test_meeting_ics_of_a_stored_two_line_title_is_valid(client, student, stored_two_line_meeting):
    client.force_login(student)
    response = client.get(reverse("meetings:meeting-ics", args=[stored_two_line_meeting.pk]))
    assert response.status_code == 200
    (event,) = _valid_events(response.content)
    assert str(event["summary"]).startswith("A\nB;")


def test_personal_feed_of_a_stored_two_line_title_is_valid(
    client, student, stored_two_line_meeting
):
    client.force_login(student)
    client.post(reverse("meetings:calendar-token-regenerate"))
    student.refresh_from_db()
    client.logout()
    response = client.get(
        reverse("meetings:calendar-feed", kwargs={"token": student.calendar_token})
    )
    assert response.status_code == 200
    (event,) = _valid_events(response.content)
    assert str(event["uid"]) == f"{stored_two_line_meeting.ical_uid}@classmeet"


def test_api_ics_of_a_stored_two_line_title_is_valid(
    token_client, student, stored_two_line_meeting
):
    response = token_client(student).get(
        reverse("api:meeting-ics", kwargs={"meeting_id": stored_two_line_meeting.pk}),
        HTTP_ACCEPT="text/calendar",
    )
    assert response.status_code == 200
    (event,) = _valid_events(response.content)
    assert str(event["summary"]).startswith("A\nB;")


ONE_LINE = "Use a single line, without line breaks or control characters."
BAD_TITLES = ["A\nB", "A\r\nB", "A\tB", "A\x00B", "A\u2028B"]


@pytest.mark.parametrize("title", BAD_TITLES)
def test_schedule_form_refuses_a_title_that_is_not_one_line(client, teacher, course, title):
    client.force_login(teacher)
    response = client.post(
        reverse("meetings:meeting-schedule", args=[course.pk]),
        {
            "title": title,
            "starts_at": timezone.localtime(_future()).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
        },
    )
    assert response.status_code == 400
    assert ONE_LINE in response.context["form"].errors["title"]
    assert not Meeting.objects.exists()


def test_edit_form_refuses_a_two_line_title(client, teacher, course):
    meeting = MeetingFactory.create(course=course, starts_at=_future(), title="One")
    client.force_login(teacher)
    response = client.post(
        reverse("meetings:meeting-edit", args=[meeting.pk]),
        {
            "title": "One\nTwo",
            "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
        },
    )
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.title == "One"


@pytest.mark.parametrize("title", BAD_TITLES)
def test_api_create_refuses_a_title_that_is_not_one_line(token_client, teacher, course, title):
    response = token_client(teacher).post(
        reverse("api:meeting-create", kwargs={"course_id": course.pk}),
        {"title": title, "starts_at": _future().isoformat(), "duration_minutes": 45},
        format="json",
    )
    assert response.status_code == 400
    assert ONE_LINE in response.json()["errors"]["title"]
    assert not Meeting.objects.exists()


def test_api_update_refuses_a_two_line_title(token_client, teacher, course):
    meeting = MeetingFactory.create(course=course, starts_at=_future(), title="One")
    response = token_client(teacher).patch(
        reverse("api:meeting-update", kwargs={"meeting_id": meeting.pk}),
        {"title": "One\nTwo"},
        format="json",
    )
    assert response.status_code == 400
    assert "title" in response.json()["errors"]
    meeting.refresh_from_db()
    assert meeting.title == "One"


def test_a_title_with_spaces_around_is_accepted_and_trimmed(token_client, teacher, course):
    response = token_client(teacher).post(
        reverse("api:meeting-create", kwargs={"course_id": course.pk}),
        {
            "title": "  Lab; part 1, intro  ",
            "starts_at": _future().isoformat(),
            "duration_minutes": 45,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Meeting.objects.get().title == "Lab; part 1, intro"
