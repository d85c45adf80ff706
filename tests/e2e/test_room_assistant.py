"""A course assistant runs the live room like its teacher, in real headless Chromium: the
controls are on their page and ending the class reaches the students."""

from __future__ import annotations

import pytest

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.services import assistant_add
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory
from tests.e2e.room import join, wait_participants

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_an_assistant_ends_the_class_for_everyone(new_page):
    teacher = TeacherFactory.create(username="e2e_owner")
    # A student-role account: it is the course's staff list that gives the controls.
    ta = StudentFactory.create(username="e2e_ta", first_name="Tom", last_name="Assist")
    student = StudentFactory.create(username="e2e_sam")
    course = CourseFactory.create(teacher=teacher, title="Physics")
    EnrollmentFactory.create(course=course, student=student)
    assistant_add(course=course, user=ta, added_by=teacher)
    meeting = MeetingFactory.create(course=course, title="Waves")
    a = join(new_page, ta, meeting)
    s = join(new_page, student, meeting)
    wait_participants(a, 2)
    assert a.locator("#btn-mute-all, #btn-end-meeting").count() == 2
    assert s.locator("#btn-mute-all, #btn-end-meeting, .remove-peer").count() == 0
    a.on("dialog", lambda dialog: dialog.accept())
    a.click("#btn-end-meeting")
    s.wait_for_selector("#room-end:not([hidden])")
    assert "ended this meeting" in s.locator("#room-end-reason").inner_text()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED
