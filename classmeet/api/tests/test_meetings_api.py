"""Meetings through the API: list by phase, schedule, edit, cancel, .ics."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(course):
    now = timezone.now()
    return {
        "live": MeetingFactory.create(
            course=course, title="Live", starts_at=now - timedelta(minutes=5)
        ),
        "upcoming": MeetingFactory.create(
            course=course, title="Soon", starts_at=now + timedelta(days=1)
        ),
        "past": MeetingFactory.create(
            course=course, title="Old", starts_at=now - timedelta(days=2)
        ),
    }


def test_meeting_list_by_phase(token_client, student, enrollment, meetings):
    client = token_client(student)
    url = reverse("api:meeting-list")
    assert client.get(url).json()["count"] == 3
    for phase, meeting in meetings.items():
        body = client.get(url, {"phase": phase}).json()
        assert [m["id"] for m in body["results"]] == [meeting.pk], phase
        assert body["results"][0]["phase"] == ("ended" if phase == "past" else phase)
    live = client.get(url, {"phase": "live"}).json()["results"][0]
    assert live["joinable"] is True
    assert client.get(url, {"phase": "soon"}).status_code == 400


def test_meeting_list_hides_other_courses(token_client, outsider, meetings):
    assert token_client(outsider).get(reverse("api:meeting-list")).json()["count"] == 0


def test_meeting_list_course_filter(token_client, teacher, meetings, course):
    client = token_client(teacher)
    url = reverse("api:meeting-list")
    assert client.get(url, {"course": course.pk}).json()["count"] == 3
    assert client.get(url, {"course": course.pk + 99}).json()["count"] == 0


def test_teacher_schedules_a_weekly_series_and_students_are_told(
    token_client, teacher, enrollment, course, student
):
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    response = token_client(teacher).post(
        reverse("api:meeting-create", kwargs={"course_id": course.pk}),
        {"title": "Lab", "starts_at": starts.isoformat(), "duration_minutes": 45, "weeks": 3},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body) == 3
    assert body[0]["series"] == body[2]["series"] is not None
    assert Notification.objects.filter(recipient=student).exists()


def test_schedule_in_the_past_or_overlapping_is_400_on_the_field(
    token_client, teacher, course, meetings
):
    client = token_client(teacher)
    url = reverse("api:meeting-create", kwargs={"course_id": course.pk})
    past = client.post(
        url,
        {
            "title": "x",
            "starts_at": (timezone.now() - timedelta(days=1)).isoformat(),
            "duration_minutes": 30,
        },
    )
    assert past.status_code == 400
    assert "starts_at" in past.json()["errors"]
    clash = client.post(
        url,
        {
            "title": "x",
            "starts_at": meetings["upcoming"].starts_at.isoformat(),
            "duration_minutes": 30,
        },
    )
    assert clash.status_code == 400
    assert "starts_at" in clash.json()["errors"]
    too_long = client.post(
        url, {"title": "x", "starts_at": timezone.now().isoformat(), "duration_minutes": 9999}
    )
    assert "duration_minutes" in too_long.json()["errors"]


def test_schedule_within_the_current_minute_is_accepted(token_client, teacher, course, monkeypatch):
    """At 21:56:40 a start at 21:56:00 is accepted; 21:55:59 is refused on the field."""
    now = timezone.now().replace(second=40, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    client = token_client(teacher)
    url = reverse("api:meeting-create", kwargs={"course_id": course.pk})
    minute = now.replace(second=0)
    late = client.post(
        url,
        {
            "title": "x",
            "starts_at": (minute - timedelta(seconds=1)).isoformat(),
            "duration_minutes": 30,
        },
    )
    assert late.status_code == 400
    assert "starts_at" in late.json()["errors"]
    response = client.post(
        url, {"title": "Now", "starts_at": minute.isoformat(), "duration_minutes": 30}
    )
    assert response.status_code == 201, response.content
    assert Meeting.objects.get().starts_at == minute


def test_teacher_edits_and_cancels(token_client, teacher, meetings):
    client = token_client(teacher)
    meeting = meetings["upcoming"]
    edited = client.patch(
        reverse("api:meeting-update", kwargs={"meeting_id": meeting.pk}), {"title": "Renamed"}
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["title"] == "Renamed"
    assert edited.json()["duration_minutes"] == meeting.duration_minutes
    cancelled = client.post(reverse("api:meeting-cancel", kwargs={"meeting_id": meeting.pk}))
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


def test_editing_an_ended_meeting_is_400(token_client, teacher, meetings):
    response = token_client(teacher).patch(
        reverse("api:meeting-update", kwargs={"meeting_id": meetings["past"].pk}), {"title": "x"}
    )
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]


def test_meeting_ics_download(token_client, student, enrollment, meetings):
    meeting = meetings["upcoming"]
    client = token_client(student)
    for accept in ("*/*", "text/calendar"):
        response = client.get(
            reverse("api:meeting-ics", kwargs={"meeting_id": meeting.pk}), HTTP_ACCEPT=accept
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        body = response.content.decode()
        assert body.startswith("BEGIN:VCALENDAR")
        assert str(meeting.ical_uid) in body


def test_meeting_ics_errors_are_json_even_when_asking_for_calendar(
    token_client, outsider, meetings
):
    response = token_client(outsider).get(
        reverse("api:meeting-ics", kwargs={"meeting_id": meetings["live"].pk}),
        HTTP_ACCEPT="text/calendar",
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_meeting_list_time_range_and_ordering(token_client, teacher, meetings):
    client = token_client(teacher)
    url = reverse("api:meeting-list")
    now = timezone.now()
    later = client.get(url, {"starts_after": now.isoformat()}).json()
    assert [m["id"] for m in later["results"]] == [meetings["upcoming"].pk]
    earlier = client.get(url, {"starts_before": (now - timedelta(days=1)).isoformat()}).json()
    assert [m["id"] for m in earlier["results"]] == [meetings["past"].pk]
    latest_first = client.get(url, {"ordering": "-starts_at"}).json()["results"]
    assert [m["id"] for m in latest_first] == [
        meetings["upcoming"].pk,
        meetings["live"].pk,
        meetings["past"].pk,
    ]
    bad = client.get(url, {"starts_after": "yesterday"})
    assert bad.status_code == 400
    assert "starts_after" in bad.json()["errors"]


def test_the_waiting_room_setting_through_the_api(token_client, teacher, course, meetings):
    client = token_client(teacher)
    starts = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    created = client.post(
        reverse("api:meeting-create", kwargs={"course_id": course.pk}),
        {"title": "Exam", "starts_at": starts.isoformat(), "duration_minutes": 30},
    )
    assert created.status_code == 201, created.content
    assert created.json()[0]["waiting_room"] is False  # off by default
    url = reverse("api:meeting-update", kwargs={"meeting_id": created.json()[0]["id"]})
    edited = client.patch(url, {"waiting_room": True}, format="json")
    assert edited.status_code == 200, edited.content
    assert edited.json()["waiting_room"] is True
    assert client.patch(url, {"waiting_room": "maybe"}, format="json").status_code == 400
    listed = client.get(reverse("api:meeting-list"), {"course": course.pk}).json()["results"]
    assert {m["title"]: m["waiting_room"] for m in listed}["Exam"] is True
    created = client.post(
        reverse("api:meeting-create", kwargs={"course_id": course.pk}),
        {
            "title": "Exam 2",
            "starts_at": (starts + timedelta(days=1)).isoformat(),
            "duration_minutes": 30,
            "waiting_room": True,
        },
        format="json",
    )
    assert created.json()[0]["waiting_room"] is True
