"""One click starts a class: the teacher lands in the room with the socket joined, and a student's
"Live now" on the dashboard leads straight into the same room."""

import pytest
from django.urls import reverse

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.models import Meeting

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_start_a_class_now_from_the_course_page_opens_the_joined_room(new_page):
    teacher = TeacherFactory.create(username="e2e_now_teacher")
    student = StudentFactory.create(username="e2e_now_student")
    course = CourseFactory.create(teacher=teacher, title="Optics")
    EnrollmentFactory.create(course=course, student=student)

    t = new_page(teacher, sign_in="cookie")
    t.goto(course.get_absolute_url())
    t.get_by_role("button", name="Start a class now").click()
    t.wait_for_url("**/meetings/room/*/")
    t.wait_for_selector("#room[data-joined='true']")
    meeting = Meeting.objects.get(course=course)
    assert t.url.endswith(f"/meetings/room/{meeting.pk}/")
    assert meeting.phase() == Meeting.Phase.LIVE

    s = new_page(student, sign_in="cookie")
    s.goto(reverse("dashboard:dashboard"))
    s.get_by_role("link", name="Live now").click()
    s.wait_for_url(f"**/meetings/room/{meeting.pk}/")
    s.wait_for_selector("#room[data-joined='true']")
    assert Meeting.objects.filter(course=course).count() == 1
