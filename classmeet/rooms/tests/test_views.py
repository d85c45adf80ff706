"""The room page shares the socket's rule: 200 to members while open, 409 to members outside the
join window, 404 to everybody else, sign-in for anonymous visitors."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def url(meeting_id: int) -> str:
    return reverse("rooms:room", kwargs={"meeting_id": meeting_id})


def test_room_url_keeps_the_original_apps_path():
    assert url(1) == "/meetings/room/1/"


@pytest.mark.parametrize("who", ["teacher", "student"])
def test_members_get_the_room_with_its_socket_path(client, request, who, enrollment, live_meeting):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(live_meeting.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-ws-path="/ws/meeting/{live_meeting.pk}/"' in html
    assert 'data-leave-url="' in html
    assert "rooms/js/main.js" in html
    assert "<script>" not in html  # no inline script (CSP)
    assert 'style="' not in html


def test_the_room_carries_its_end_screen_and_reconnect_give_up(
    client, settings, student, enrollment, live_meeting
):
    settings.CLASSMEET_ROOM_RECONNECT_GIVE_UP_SECONDS = 1234.5
    settings.USE_THOUSAND_SEPARATOR = True  # a number the page's JavaScript reads stays plain
    client.force_login(student)
    html = client.get(url(live_meeting.pk)).content.decode()
    assert 'data-reconnect-give-up-ms="1234500"' in html
    assert '<section id="room-end"' in html
    assert f'id="room-end-back" href="{live_meeting.course.get_absolute_url()}"' in html
    assert "rooms/js/ending.js" in html


def test_outsider_gets_404(client, outsider, live_meeting):
    client.force_login(outsider)
    assert client.get(url(live_meeting.pk)).status_code == 404


def test_unknown_and_cancelled_meetings_get_404(client, teacher, live_meeting):
    client.force_login(teacher)
    assert client.get(url(live_meeting.pk + 1000)).status_code == 404
    live_meeting.status = Meeting.Status.CANCELLED
    live_meeting.save(update_fields=["status"])
    assert client.get(url(live_meeting.pk)).status_code == 404


def test_member_before_the_window_gets_a_friendly_409(client, student, enrollment, course):
    meeting: Any = MeetingFactory.create(
        course=course, starts_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(student)
    response = client.get(url(meeting.pk))
    assert response.status_code == 409
    assert "has not opened yet" in response.content.decode()


def test_member_after_the_end_gets_a_friendly_409(client, student, enrollment, course):
    meeting: Any = MeetingFactory.create(
        course=course, starts_at=timezone.now() - timedelta(hours=3)
    )
    client.force_login(student)
    response = client.get(url(meeting.pk))
    assert response.status_code == 409
    assert "has ended" in response.content.decode()


def test_outsider_gets_404_even_outside_the_window(client, outsider, course):
    meeting: Any = MeetingFactory.create(
        course=course, starts_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(outsider)
    assert client.get(url(meeting.pk)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, live_meeting):
    response = client.get(url(live_meeting.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:signin"))


def test_user_text_is_escaped(client, teacher, course):
    meeting: Any = MeetingFactory.create(
        course=course, title="<b>Waves</b>", description="<img src=x>"
    )
    client.force_login(teacher)
    html = client.get(url(meeting.pk)).content.decode()
    assert "<b>Waves</b>" not in html
    assert "&lt;b&gt;Waves&lt;/b&gt;" in html
    assert "<img src=x>" not in html


def test_room_shows_the_start_and_gives_its_scripts_the_viewers_zone(
    client, student, enrollment, live_meeting
):
    paris = ZoneInfo("Europe/Paris")
    student.timezone = "Europe/Paris"
    student.save(update_fields=["timezone"])
    client.force_login(student)
    html = client.get(url(live_meeting.pk)).content.decode()
    local = timezone.localtime(live_meeting.starts_at, paris)
    label = local.tzname()  # CET in winter, CEST in summer
    assert f"{local:%H:%M} {label}</time>" in html
    assert f'data-time-zone="Europe/Paris" data-time-zone-label="{label}"' in html


def test_closed_room_says_when_it_opens_with_the_zone_label(client, student, enrollment, course):
    start = datetime(2030, 1, 15, 20, 56, tzinfo=UTC)
    meeting: Any = MeetingFactory.create(course=course, starts_at=start)
    student.timezone = "America/New_York"
    student.save(update_fields=["timezone"])
    client.force_login(student)
    html = client.get(url(meeting.pk)).content.decode()
    opens = timezone.localtime(meeting.join_opens_at, ZoneInfo("America/New_York"))
    assert f"{opens:%H:%M} EST</time>" in html
