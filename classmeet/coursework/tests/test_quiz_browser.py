"""A quiz with a time limit in real Chromium: the countdown shows the server's deadline, an answer
is saved, and at zero the page submits the attempt (which the server grades); the question form
shows only the fields of the chosen type. No CSP violation on the way."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.coursework.models import Grade, Question, QuizAttempt
from classmeet.coursework.services.quizzes import attempt_start
from tests.security.browser import Watch

from .quiz_factories import QuizFactory, single_question

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_countdown_submits_the_attempt_when_the_time_is_up(new_page):
    student = StudentFactory.create(username="quiz_e2e_student")
    course = CourseFactory.create(title="Optics")
    EnrollmentFactory.create(course=course, student=student)
    quiz = QuizFactory.create(course=course, title="Lenses", time_limit_minutes=1)
    question = single_question(quiz, text="Which lens converges?")
    right = question.choices.get(is_correct=True)
    # Started 50 s ago: about 10 s left on the server's clock.
    attempt = attempt_start(quiz=quiz, student=student, now=timezone.now() - timedelta(seconds=50))

    page = new_page(student, sign_in="cookie")
    watch = Watch(page)
    page.goto(reverse("coursework:quiz-attempt", kwargs={"attempt_id": attempt.pk}))
    timer = page.locator("#quiz-timer")
    expect(timer).to_contain_text("Time left")
    assert timer.locator(".quiz-timer-value").inner_text().startswith("00:")
    page.get_by_label(right.text).check()
    page.get_by_role("button", name="Save answer").click()
    expect(page.locator(f"#question-{question.pk}")).to_contain_text("Saved at")
    # No click on Submit: the countdown reaches zero and submits by itself.
    expect(page.locator("#attempt-score")).to_contain_text("Score: 2 / 2", timeout=20_000)
    watch.assert_clean("quiz take page")
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert Grade.objects.get(student=student).points == Decimal(2)
    assert QuizAttempt.objects.count() == 1


def test_the_question_form_follows_the_type(new_page):
    teacher = TeacherFactory.create(username="quiz_e2e_teacher")
    course = CourseFactory.create(teacher=teacher, title="Optics")
    quiz = QuizFactory.create(course=course, title="Lenses")

    page = new_page(teacher, sign_in="cookie")
    watch = Watch(page)
    page.goto(reverse("coursework:quiz-question-create", kwargs={"quiz_id": quiz.pk}))
    choices = page.locator(".quiz-kind-choices")
    numeric = page.locator(".quiz-kind-numeric")
    expect(choices).to_be_visible()
    expect(numeric).to_be_hidden()
    page.get_by_label("Type", exact=True).select_option("numeric")
    expect(choices).to_be_hidden()
    expect(numeric).to_be_visible()
    page.get_by_label("Question", exact=True).fill("Focal length of a 2-dioptre lens, in metres?")
    page.get_by_label("Right number").fill("0.5")
    page.get_by_label("Tolerance (±)").fill("0.01")
    page.get_by_role("button", name="Save question").click()
    page.wait_for_url(f"**{reverse('coursework:quiz-edit', kwargs={'quiz_id': quiz.pk})}")
    watch.assert_clean("question form")
    question = Question.objects.get(quiz=quiz)
    assert (question.kind, question.numeric_answer) == ("numeric", Decimal("0.5"))
