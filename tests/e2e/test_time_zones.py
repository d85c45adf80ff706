"""Times in real Chromium: the schedule form on a first visit uses the browser's zone, and times
a page renders itself (the room's chat) look like the server's, in the viewer's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.tests.factories import TeacherFactory
from classmeet.core.times import zone_label
from classmeet.courses.tests.factories import CourseFactory
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOKYO = ZoneInfo("Asia/Tokyo")
PARIS = ZoneInfo("Europe/Paris")


def test_first_visit_to_the_schedule_form_uses_the_browsers_zone(new_page):
    """No zone in the profile, no zone cookie yet: the server renders in UTC, the page fixes it."""
    teacher = TeacherFactory.create(username="e2e_tz_teacher", timezone="")
    course = CourseFactory.create(teacher=teacher, title="Optics")
    page = new_page(teacher, sign_in="cookie", timezone_id="Asia/Tokyo")
    page.goto(reverse("meetings:meeting-schedule", args=[course.pk]))
    page.wait_for_function(
        "() => document.querySelector('.schedule-zone').textContent === 'Asia/Tokyo'"
    )
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    page.fill("input[name=title]", "Morning class")
    page.fill("input[name=starts_at]", f"{day.isoformat()}T09:00")
    page.fill("input[name=duration_minutes]", "45")
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_url("**/meetings/*/")
    meeting = Meeting.objects.get(title="Morning class")
    assert meeting.starts_at == datetime(day.year, day.month, day.day, 9, tzinfo=TOKYO)


def test_first_visit_to_the_edit_form_shows_the_start_in_the_browsers_zone(new_page):
    """The prefilled start moves from the server's UTC to the browser's zone; saving keeps it."""
    teacher = TeacherFactory.create(username="e2e_tz_editor", timezone="")
    course = CourseFactory.create(teacher=teacher, title="Optics")
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    start = datetime(day.year, day.month, day.day, 9, tzinfo=TOKYO)
    meeting = MeetingFactory.create(course=course, title="Lenses", starts_at=start)
    page = new_page(teacher, sign_in="cookie", timezone_id="Asia/Tokyo")
    page.goto(reverse("meetings:meeting-edit", args=[meeting.pk]))
    page.wait_for_function(
        "() => document.querySelector('.schedule-zone').textContent === 'Asia/Tokyo'"
    )
    assert page.input_value("input[name=starts_at]") == f"{day.isoformat()}T09:00"
    page.fill("input[name=title]", "Lenses, part 1")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{meeting.get_absolute_url()}")
    meeting.refresh_from_db()
    assert (meeting.title, meeting.starts_at) == ("Lenses, part 1", start)


def test_room_chat_times_are_in_the_viewers_zone_with_its_label(new_page):
    """The profile says Paris, the browser New York: the chat line reads Paris time, like pages."""
    teacher = TeacherFactory.create(username="e2e_tz_chat", timezone="Europe/Paris")
    course = CourseFactory.create(teacher=teacher, title="Optics")
    meeting = MeetingFactory.create(course=course, title="Waves")
    page = new_page(teacher, sign_in="cookie", timezone_id="America/New_York")
    page.goto(reverse("rooms:room", kwargs={"meeting_id": meeting.pk}))
    page.wait_for_selector("#room[data-joined='true']")
    page.fill("#chat-input", "Bonsoir")
    page.press("#chat-input", "Enter")
    stamp = page.locator("#chat-messages li", has_text="Bonsoir").locator("time")
    stamp.wait_for()
    sent = datetime.fromisoformat(stamp.get_attribute("datetime").replace("Z", "+00:00"))
    local = timezone.localtime(sent, PARIS)
    assert stamp.text_content() == f"{local:%H:%M} {zone_label(sent, PARIS)}"
    assert stamp.get_attribute("title") == "Europe/Paris"
    # Across a daylight-saving change the label is the offset, as the server writes it.
    other = (
        "2030-07-15T20:56:00Z"
        if local.utcoffset() == timedelta(hours=1)
        else "2030-01-15T20:56:00Z"
    )
    text = page.evaluate(
        "async (iso) => (await import('/static/core/js/times.js')).formatTime(iso)", other
    )
    moment = datetime.fromisoformat(other.replace("Z", "+00:00"))
    offset = timezone.localtime(moment, PARIS).utcoffset()
    expected_label = "UTC+02:00" if offset == timedelta(hours=2) else "UTC+01:00"
    assert text == f"{timezone.localtime(moment, PARIS):%H:%M} {expected_label}"
    assert re.fullmatch(r"\d\d:\d\d UTC\+0[12]:00", text)
