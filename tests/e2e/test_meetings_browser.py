"""A teacher in Kolkata schedules a class in the browser; a student in UTC sees it at their time."""

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("CLASSMEET_SCREENSHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_schedule_in_kolkata_shows_in_utc_and_join_opens_for_live(new_page):
    # Zones from the profile setting. (The browser's zone arrives in a cookie written by app.js.)
    teacher = TeacherFactory.create(username="e2e_meet_teacher", timezone="Asia/Kolkata")
    student = StudentFactory.create(username="e2e_meet_student", timezone="UTC")
    course = CourseFactory.create(teacher=teacher, title="Python")
    EnrollmentFactory.create(course=course, student=student)
    live = MeetingFactory.create(course=course, title="Live now class")

    page = new_page(teacher, timezone_id="Asia/Kolkata")
    page.goto("/meetings/")
    page.get_by_role("button", name="Schedule Meeting").click()
    page.get_by_role("link", name="Python").click()
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    page.fill("input[name=title]", "Python class")
    page.fill("input[name=starts_at]", f"{day.isoformat()}T09:00")
    page.fill("input[name=duration_minutes]", "45")
    assert "Asia/Kolkata" in page.locator("form.meeting-form").inner_text()
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_url("**/meetings/*/")
    assert page.locator("#meeting-start").inner_text().startswith(day.strftime("%A"))
    assert "09:00" in page.locator("#meeting-start").inner_text()
    meeting = Meeting.objects.get(title="Python class")
    assert meeting.starts_at == datetime(
        day.year, day.month, day.day, 9, tzinfo=ZoneInfo("Asia/Kolkata")
    )
    _shot(page, "meeting_detail_teacher")
    later = MeetingFactory.create(
        course=course, title="To cancel", starts_at=meeting.starts_at + timedelta(days=1)
    )
    page.goto(later.get_absolute_url())
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Cancel meeting").click()
    page.wait_for_timeout(300)
    later.refresh_from_db()
    assert later.status == Meeting.Status.SCHEDULED  # dismissed: nothing sent
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel meeting").click()
    page.get_by_text("Meeting cancelled.").wait_for()
    later.refresh_from_db()
    assert later.status == Meeting.Status.CANCELLED

    page = new_page(student, timezone_id="UTC")
    page.goto("/meetings/")
    upcoming = page.locator("#meetings-upcoming")
    assert "Python class" in upcoming.inner_text()
    assert "03:30" in upcoming.inner_text()
    live_section = page.locator("#meetings-live")
    assert "Live now class" in live_section.inner_text()
    _shot(page, "meeting_list_student")
    live_section.get_by_role("link", name="Join Meeting").click()
    page.wait_for_url(f"**/meetings/room/{live.pk}/")
