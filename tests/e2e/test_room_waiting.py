"""The waiting room in real headless Chromium: a student knocks, the teacher sees and hears the
knock, admits them from the Participants tab, and the two connect."""

from __future__ import annotations

import pytest

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.models import RoomAdmission
from classmeet.meetings.tests.factories import MeetingFactory
from tests.e2e.room import join, room_url, wait_participants

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CONNECTED_JS = """() => [...window.classmeetRoom.connections().values()]
  .some((pc) => pc.connectionState === "connected")"""


def test_a_student_knocks_and_the_teacher_lets_them_in(new_page):
    teacher = TeacherFactory.create(username="e2e_lobby_t")
    student = StudentFactory.create(username="e2e_lobby_s", first_name="Sam", last_name="Knock")
    course = CourseFactory.create(teacher=teacher, title="Physics")
    EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course, title="Exam", waiting_room=True)
    t = join(new_page, teacher, meeting)
    s = new_page(student, sign_in="cookie")
    s.goto(room_url(meeting))
    s.wait_for_selector("#room-waiting:not([hidden])")
    assert s.locator("#room").is_hidden()
    assert "Waiting for the teacher" in s.locator("#room-waiting-title").inner_text()
    t.wait_for_selector("#knock-banner:not(.d-none)")
    assert "Sam Knock is waiting to join" in t.locator("#knock-banner").inner_text()
    assert t.evaluate("window.classmeetRoom.waitingList().sounds") == 1
    t.click("#tab-participants")
    t.get_by_role("button", name="Admit Sam Knock").click()
    s.wait_for_selector("#room[data-joined='true']")
    assert s.locator("#room-waiting").is_hidden()
    wait_participants(t, 2)
    t.wait_for_function(CONNECTED_JS)
    s.wait_for_function(CONNECTED_JS)
    assert t.locator("#waiting-room").is_hidden()
    assert RoomAdmission.objects.filter(meeting=meeting, user=student).exists()
