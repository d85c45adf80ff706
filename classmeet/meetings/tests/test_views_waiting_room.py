"""The "students wait to be admitted" setting (the room's waiting room) on the meeting forms."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _start() -> str:
    start = (timezone.now() + timedelta(days=2)).replace(hour=9, minute=0, second=0)
    return timezone.localtime(start).strftime("%Y-%m-%dT%H:%M")


def test_the_setting_is_off_by_default(course):
    assert MeetingFactory.create(course=course).waiting_room is False


def test_the_schedule_form_offers_the_setting_and_saves_it(client, teacher, course):
    client.force_login(teacher)
    url = reverse("meetings:meeting-schedule", args=[course.pk])
    html = client.get(url).content.decode()
    assert 'name="waiting_room"' in html
    assert "Students wait to be admitted" in html
    data = {"title": "Exam", "starts_at": _start(), "duration_minutes": "60"}
    client.post(url, {**data, "waiting_room": "on"})
    client.post(url, {**data, "title": "Open class", "starts_at": _start()[:-5] + "11:00"})
    settings = dict(Meeting.objects.values_list("title", "waiting_room"))
    assert settings == {"Exam": True, "Open class": False}


def test_the_edit_form_shows_and_changes_the_setting_without_telling_students(
    client, teacher, course, enrollment
):
    meeting = MeetingFactory.create(
        course=course, starts_at=timezone.now() + timedelta(days=1), waiting_room=True
    )
    client.force_login(teacher)
    url = reverse("meetings:meeting-edit", args=[meeting.pk])
    assert 'name="waiting_room" id="id_waiting_room" aria-describedby' in (
        client.get(url).content.decode().replace("\n", " ")
    )
    assert "checked" in client.get(url).content.decode().split('name="waiting_room"')[1][:120]
    start = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": meeting.title,
        "description": meeting.description,
        "starts_at": start,
        "duration_minutes": str(meeting.duration_minutes),
    }
    response = client.post(url, data)  # the box unchecked
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.waiting_room is False
    assert meeting.sequence == 0  # a room setting: no calendar change
    assert not Notification.objects.exists()
    client.post(url, {**data, "waiting_room": "on"})
    meeting.refresh_from_db()
    assert meeting.waiting_room is True
