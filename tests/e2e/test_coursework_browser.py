"""Coursework in the browser: a student hands in a file (with the progress bar), a teacher grades
and releases it, the student sees the grade only then; and a timed quiz whose deadline the server
enforces whatever the page's countdown says."""

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.coursework.models import Answer, Grade, QuizAttempt, Submission
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.coursework.tests.quiz_factories import (
    QuizFactory,
    numeric_question,
    single_question,
)
from classmeet.demo.files import demo_pdf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def classroom() -> dict[str, Any]:
    teacher = TeacherFactory.create(username="e2e_cw_teacher", first_name="Ada")
    student = StudentFactory.create(username="e2e_cw_student", first_name="Grace")
    course = CourseFactory.create(teacher=teacher, title="Waves")
    EnrollmentFactory.create(course=course, student=student)
    return {"teacher": teacher, "student": student, "course": course}


def test_a_file_is_handed_in_graded_released_and_then_seen(new_page, classroom):
    teacher, student = classroom["teacher"], classroom["student"]
    assignment = AssignmentFactory.create(course=classroom["course"], title="Lab report")
    submit_url = reverse("coursework:assignment-submit", kwargs={"assignment_id": assignment.pk})

    page = new_page(student)
    page.goto(assignment.get_absolute_url())
    form = page.locator("form.submission-form")
    form.locator("input[type=file]").set_input_files(
        {
            "name": "lab-report.pdf",
            "mimeType": "application/pdf",
            "buffer": demo_pdf(title="Lab report", lines=["Grace", "Two speakers"]),
        }
    )
    # Hold the upload's answer so the progress bar can be seen before the page moves on.
    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)

    page.route(f"**{submit_url}", hold)
    form.get_by_role("button", name="Submit").click()
    progress = form.locator("[data-upload-progress]")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("aria-valuenow", re.compile(r"^\d{1,3}$"))
    expect(form.locator("[data-upload-submit]")).to_be_disabled()
    for _ in range(50):  # the handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1
    with page.expect_navigation():
        held[0].continue_()
    page.unroute(f"**{submit_url}")
    expect(page.get_by_role("link", name="lab-report.pdf")).to_be_visible()
    submission = Submission.objects.get(assignment=assignment, student=student)
    assert submission.attempt_count == 1
    assert not submission.is_late
    # Nothing graded or released yet: no grade on the page.
    expect(page.locator("#assignment-grade")).to_have_count(0)

    staff = new_page(teacher)
    queue = reverse("coursework:grading-queue", kwargs={"assignment_id": assignment.pk})
    staff.goto(queue)
    expect(staff.locator("#grading-table")).to_contain_text("Grace")
    staff.goto(
        reverse(
            "coursework:grade-submission",
            kwargs={"assignment_id": assignment.pk, "student_id": student.pk},
        )
    )
    expect(staff.get_by_role("link", name="lab-report.pdf")).to_be_visible()
    staff.locator("#grade-form input[name=points]").fill("8.5")
    staff.locator("#grade-form textarea[name=feedback]").fill("Clear diagram. **Label the axes.**")
    staff.get_by_role("button", name="Save grade").click()
    staff.wait_for_load_state()
    grade = Grade.objects.get(item=assignment.grade_item, student=student)
    assert grade.points == Decimal("8.5")
    assert grade.graded_by == teacher

    # Graded but not released: the student still sees nothing.
    page.reload()
    expect(page.locator("#assignment-grade")).to_have_count(0)
    my_grades = reverse("coursework:my-grades", kwargs={"course_id": classroom["course"].pk})
    page.goto(my_grades)
    expect(page.locator("body")).not_to_contain_text("Label the axes")

    staff.goto(queue)
    staff.locator("#release-grades").click()
    expect(staff.locator("#release")).to_contain_text("Released")

    page.goto(assignment.get_absolute_url())
    expect(page.locator("#assignment-grade")).to_have_text(re.compile(r"8\.50? / 10 points"))
    expect(page.locator(".markdown-body strong", has_text="Label the axes.")).to_be_visible()
    page.goto(my_grades)
    expect(page.locator("main")).to_contain_text(re.compile(r"8\.50? / 10"))
    expect(page.locator("main")).to_contain_text("Label the axes.")


def test_a_timed_quiz_refuses_an_answer_after_the_server_deadline(new_page, classroom):
    student = classroom["student"]
    quiz = QuizFactory.create(course=classroom["course"], title="Quick quiz", time_limit_minutes=1)
    single = single_question(quiz, points="2", right=1, text="Which option is right?")
    numeric = numeric_question(quiz, answer="9.81", points="4")

    page = new_page(student)
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quiz-attempts/*/")
    attempt = QuizAttempt.objects.get(quiz=quiz, student=student)
    assert timedelta(seconds=55) < attempt.deadline_at - attempt.started_at <= timedelta(minutes=1)
    timer = page.locator("#quiz-timer")
    expect(timer).to_contain_text("Time left")
    expect(timer.locator(".quiz-timer-value")).to_have_text(re.compile(r"^0[01]:\d\d$"))

    first = page.locator(f"#question-{single.pk}")
    first.get_by_label("Option 1").check()
    first.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("Answer saved.")).to_be_visible()
    assert Answer.objects.filter(attempt=attempt).count() == 1

    # The server's clock passes the deadline (and the grace); the page's countdown has not.
    grace = timedelta(seconds=settings.CLASSMEET_QUIZ_GRACE_SECONDS)
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline_at=timezone.now() - grace - timedelta(seconds=5)
    )
    second = page.locator(f"#question-{numeric.pk}")
    second.get_by_label("Your answer (a number)").fill("9.8")
    with page.expect_response(lambda r: r.request.method == "POST") as answered:
        second.get_by_role("button", name="Save answer").click()
    assert answered.value.status == 409
    expect(page.get_by_text("The time is up: the answer was not saved.")).to_be_visible()
    expect(page.locator("#quiz-timer")).to_have_count(0)
    # Released as soon as it is submitted (the quiz's rule): the score counts the saved answer.
    expect(page.locator("#attempt-score")).to_have_text("Score: 2 / 6")
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert attempt.score == Decimal(2)
    assert not Answer.objects.filter(attempt=attempt, question=numeric).exists()
    assert Grade.objects.get(item=quiz.grade_item, student=student).points == Decimal(2)


def test_a_quiz_released_after_closing_hides_the_score_until_then(new_page, classroom):
    student = classroom["student"]
    quiz = QuizFactory.create(
        course=classroom["course"],
        title="Later quiz",
        time_limit_minutes=1,
        release="after_close",
        grade_item__released_at=timezone.now() + timedelta(days=1),
    )
    single = single_question(quiz, points="2", right=0)

    page = new_page(student)
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quiz-attempts/*/")
    section = page.locator(f"#question-{single.pk}")
    section.get_by_label("Option 0").check()
    section.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("Answer saved.")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Quiz submitted.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Results are released on")
    expect(page.locator("#attempt-score")).to_have_count(0)
    assert QuizAttempt.objects.get(quiz=quiz, student=student).score == Decimal(2)
