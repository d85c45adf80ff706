"""Grading in real Chromium: a teacher grades a submission and releases it, the student sees the
grade; the gradebook's header row and student column stay in view while it scrolls."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from classmeet.accounts.models import User
from classmeet.courses.models import Course, Enrollment
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.models import Grade, GradeItem
from classmeet.coursework.tests.factories import AssignmentFactory, GradeItemFactory
from classmeet.coursework.tests.grading_factories import SubmissionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_teacher_grades_and_releases_and_the_student_sees_the_grade(
    new_page: Callable[..., Page], live_server_url: str, course: Course, student: User
) -> None:
    EnrollmentFactory.create(course=course, student=student)
    assignment = AssignmentFactory.create(course=course, title="Essay on waves")
    SubmissionFactory.create(assignment=assignment, student=student, attempt__text="My **essay**")
    teacher = new_page(course.teacher, sign_in="cookie")
    teacher.goto(
        live_server_url
        + reverse("coursework:grading-queue", kwargs={"assignment_id": assignment.pk})
    )
    teacher.locator(f'[data-student="{student.username}"]').get_by_role("link").click()
    teacher.get_by_label("Points").fill("8.5")
    teacher.get_by_label("Feedback").fill("Clear *and* short.")
    teacher.get_by_role("button", name="Save grade").click()
    teacher.locator("#current-grade").get_by_text("Counts 8.5 of 10 points.").wait_for()
    teacher.get_by_role("link", name="Grading: Essay on waves").click()
    teacher.get_by_role("button", name="Release grades").click()
    teacher.locator("#release").get_by_text("Released").wait_for()

    page = new_page(student, sign_in="cookie")
    page.goto(live_server_url + reverse("coursework:my-grades", kwargs={"course_id": course.pk}))
    card = page.locator(f'[data-item="{assignment.grade_item_id}"]')
    assert card.locator("[data-points]").inner_text().strip() == "8.5 / 10"
    assert card.locator(".markdown-body em").inner_text() == "and"


def test_gradebook_header_and_student_column_stay_in_view(
    new_page: Callable[..., Page], live_server_url: str, course: Course
) -> None:
    people = User.objects.bulk_create(User(username=f"s{n:02}") for n in range(50))
    Enrollment.objects.bulk_create(Enrollment(course=course, student=p) for p in people)
    items = GradeItemFactory.create_batch(40, course=course, title="A long item title")
    Grade.objects.bulk_create(
        Grade(item=item, student=p, points=Decimal(7)) for item in items for p in people
    )
    assert GradeItem.objects.filter(course=course).count() == 40
    page = new_page(course.teacher, sign_in="cookie")
    page.set_viewport_size({"width": 1024, "height": 700})
    page.goto(live_server_url + reverse("coursework:gradebook", kwargs={"course_id": course.pk}))
    scroller = page.locator(".gradebook-scroll")
    box = scroller.bounding_box()
    assert box is not None
    scroller.evaluate("el => el.scrollTo(el.scrollWidth, el.scrollHeight)")
    header = page.locator("#gradebook thead th").nth(30).bounding_box()
    student = page.locator("#gradebook tbody tr").nth(45).locator("th").bounding_box()
    assert header is not None
    assert student is not None
    # Scrolled to the far corner, yet the header row is at the top, the names at the left.
    assert abs(header["y"] - box["y"]) <= 2
    assert abs(student["x"] - box["x"]) <= 2
