from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.models import Course
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.models import Answer, Grade, Question, Quiz, QuizAttempt
from classmeet.coursework.services.quizzes import answer_save, attempt_start, attempt_submit

from .quiz_factories import QuizFactory, numeric_question, single_question

pytestmark = pytest.mark.django_db


def _url(name: str, **kwargs: int) -> str:
    return reverse(f"coursework:{name}", kwargs=kwargs)


def _right(question: Question) -> int:
    return next(c.pk for c in question.choices.all() if c.is_correct)


@pytest.fixture
def quiz(course: Course) -> Quiz:
    quiz = QuizFactory.create(course=course, title="Waves quiz", time_limit_minutes=10)
    single_question(quiz)
    return quiz


# Lists and the editor --------------------------------------------------------------------------


def test_students_see_published_quizzes_only(client, course, enrollment, quiz):
    QuizFactory.create(course=course, title="Secret draft", status=Quiz.Status.DRAFT)
    client.force_login(enrollment.student)
    page = client.get(_url("quiz-list", course_id=course.pk)).content.decode()
    assert "Waves quiz" in page
    assert "Secret draft" not in page
    assert _url("quiz-create", course_id=course.pk) not in page


QUIZ_FORM = {
    "title": "Optics",
    "opens_at": "2030-01-01T09:00",
    "closes_at": "2030-01-02T09:00",
    "attempts_allowed": "1",
    "scoring": "best",
    "release": "after_close",
}


def test_staff_create_a_quiz_then_questions_of_each_kind(client, course, teacher):
    client.force_login(teacher)
    response = client.post(
        _url("quiz-create", course_id=course.pk),
        {**QUIZ_FORM, "time_limit_minutes": "20", "attempts_allowed": "2"},
    )
    quiz = Quiz.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("quiz-edit", quiz_id=quiz.pk)
    add = _url("quiz-question-create", quiz_id=quiz.pk)
    base = {"text": "Q", "points": "2"}
    single = {**base, "kind": "single", "option_0": "a", "correct_0": "on", "option_1": "b"}
    true_false = {**base, "kind": "true_false", "true_false_answer": "false"}
    numeric = {**base, "kind": "numeric", "numeric_answer": "3.5", "numeric_tolerance": "0.1"}
    for data in (single, true_false, numeric):
        assert client.post(add, data).status_code == 302
    kinds = list(Question.objects.order_by("position").values_list("kind", flat=True))
    assert kinds == ["single", "true_false", "numeric"]
    quiz.grade_item.refresh_from_db()
    assert quiz.grade_item.max_points == Decimal(6)
    editor = client.get(_url("quiz-edit", quiz_id=quiz.pk))
    assert editor.status_code == 200
    assert b"coursework/js/quiz_editor.js" not in editor.content  # only on the question form


def test_quiz_form_errors_are_shown_not_raised(client, course, teacher):
    client.force_login(teacher)
    response = client.post(
        _url("quiz-create", course_id=course.pk),
        {**QUIZ_FORM, "opens_at": "2030-01-02T09:00", "closes_at": "2030-01-01T09:00"},
    )
    assert response.status_code == 400
    assert "The quiz must close after it opens." in response.content.decode()
    assert not Quiz.objects.exists()


def test_a_bad_question_gets_a_form_error(client, quiz, teacher):
    client.force_login(teacher)
    response = client.post(
        _url("quiz-question-create", quiz_id=quiz.pk),
        {"kind": "single", "text": "Q", "points": "1", "option_0": "a", "correct_0": "on"},
    )
    assert response.status_code == 400
    assert "Give at least 2 options." in response.content.decode()
    assert Question.objects.count() == 1


def test_editing_after_attempts_is_refused_with_the_reason(client, quiz, teacher, enrollment):
    attempt_start(quiz=quiz, student=enrollment.student)
    question = quiz.questions.get()
    client.force_login(teacher)
    response = client.post(
        _url("quiz-question-edit", quiz_id=quiz.pk, question_id=question.pk),
        {
            "kind": "single",
            "text": "Q",
            "points": "9",
            "option_0": "a",
            "correct_0": "on",
            "option_1": "b",
        },
    )
    assert response.status_code == 400
    assert "attempted this quiz already" in response.content.decode()
    delete = client.post(_url("quiz-question-delete", quiz_id=quiz.pk, question_id=question.pk))
    assert delete.status_code == 400
    question.refresh_from_db()
    assert question.points == Decimal(2)


def test_publish_and_delete(client, course, teacher):
    quiz = QuizFactory.create(course=course, status=Quiz.Status.DRAFT)
    client.force_login(teacher)
    refused = client.post(_url("quiz-publish", quiz_id=quiz.pk))
    assert refused.status_code == 400
    assert "Add at least one question" in refused.content.decode()
    single_question(quiz)
    assert client.post(_url("quiz-publish", quiz_id=quiz.pk)).status_code == 302
    quiz.refresh_from_db()
    assert quiz.is_published
    assert client.get(_url("quiz-delete", quiz_id=quiz.pk)).status_code == 200
    assert client.post(_url("quiz-delete", quiz_id=quiz.pk)).status_code == 302
    assert not Quiz.objects.exists()


# Taking a quiz ---------------------------------------------------------------------------------


def test_start_then_a_double_start_lands_on_the_same_attempt(client, quiz, enrollment):
    client.force_login(enrollment.student)
    first = client.post(_url("quiz-start", quiz_id=quiz.pk))
    second = client.post(_url("quiz-start", quiz_id=quiz.pk))
    attempt = QuizAttempt.objects.get()
    assert first["Location"] == second["Location"] == _url("quiz-attempt", attempt_id=attempt.pk)


def test_start_outside_the_window_is_a_clear_409(client, course, enrollment):
    now = timezone.now()
    quiz = QuizFactory.create(
        course=course, opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1)
    )
    single_question(quiz)
    client.force_login(enrollment.student)
    response = client.post(_url("quiz-start", quiz_id=quiz.pk))
    assert response.status_code == 409
    assert "This quiz is closed." in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_start_with_no_attempts_left_is_a_clear_409(client, quiz, enrollment):
    attempt_submit(attempt=attempt_start(quiz=quiz, student=enrollment.student))
    client.force_login(enrollment.student)
    response = client.post(_url("quiz-start", quiz_id=quiz.pk))
    assert response.status_code == 409
    assert "You have no attempts left." in response.content.decode()
    assert QuizAttempt.objects.count() == 1


def test_the_take_page_shows_the_server_deadline_and_loads_the_timer_module(
    client, quiz, enrollment
):
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    client.force_login(enrollment.student)
    page = client.get(_url("quiz-attempt", attempt_id=attempt.pk)).content.decode()
    assert f'data-deadline="{attempt.deadline_at.isoformat()}"' in page
    assert 'type="module" src="/static/coursework/js/quiz_timer.js"' in page
    assert "<script>" not in page  # no inline script (CSP)


def test_answer_is_saved_without_javascript(client, quiz, enrollment):
    question = quiz.questions.get()
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    client.force_login(enrollment.student)
    response = client.post(
        _url("quiz-answer", attempt_id=attempt.pk),
        {"question": question.pk, "choice": _right(question)},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert Answer.objects.get().choice_ids == [_right(question)]


def test_answers_for_another_students_attempt_are_404(client, quiz, enrollment):
    question = quiz.questions.get()
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    other = StudentFactory.create()
    EnrollmentFactory.create(course=quiz.course, student=other)
    client.force_login(other)
    answer = client.post(
        _url("quiz-answer", attempt_id=attempt.pk),
        {"question": question.pk, "choice": _right(question)},
    )
    assert answer.status_code == 404
    assert client.get(_url("quiz-attempt", attempt_id=attempt.pk)).status_code == 404
    assert client.post(_url("quiz-submit", attempt_id=attempt.pk)).status_code == 404
    assert not Answer.objects.exists()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


@pytest.mark.parametrize(
    "data",
    [
        {"choice": "999999999"},
        {"choice": "abc"},
        {"choice": "99999999999999999999999"},
        {"question": "x"},
        {"question": "99999999999999999999999"},
    ],
)
def test_out_of_range_answers_are_a_400_and_nothing_is_saved(client, quiz, enrollment, data):
    question = quiz.questions.get()
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    client.force_login(enrollment.student)
    response = client.post(
        _url("quiz-answer", attempt_id=attempt.pk), {"question": question.pk, **data}
    )
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_a_number_that_is_not_one_is_a_form_error(client, course, enrollment):
    quiz = QuizFactory.create(course=course)
    question = numeric_question(quiz)
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    client.force_login(enrollment.student)
    response = client.post(
        _url("quiz-answer", attempt_id=attempt.pk), {"question": question.pk, "number": "ten"}
    )
    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()
    assert not Answer.objects.exists()


@override_settings(CLASSMEET_QUIZ_GRACE_SECONDS=10)
def test_an_answer_after_the_deadline_is_a_409_and_not_saved(client, quiz, enrollment):
    question = quiz.questions.get()
    started = timezone.now() - timedelta(minutes=10, seconds=11)
    attempt = attempt_start(quiz=quiz, student=enrollment.student, now=started)
    client.force_login(enrollment.student)
    response = client.post(
        _url("quiz-answer", attempt_id=attempt.pk),
        {"question": question.pk, "choice": _right(question)},
    )
    assert response.status_code == 409
    assert "The time is up" in response.content.decode()
    assert not Answer.objects.exists()
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None


def test_results_after_release_hide_right_answers_until_the_close(client, quiz, enrollment):
    question = quiz.questions.get()
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    answer_save(attempt=attempt, question_id=question.pk, choice_ids=[_right(question)])
    client.force_login(enrollment.student)
    assert client.post(_url("quiz-submit", attempt_id=attempt.pk)).status_code == 302
    page = client.get(_url("quiz-attempt", attempt_id=attempt.pk)).content.decode()
    assert "Score: 2 / 2" in page
    assert "The right answers are shown once the quiz closes." in page
    assert "badge text-bg-success" not in page
    Quiz.objects.filter(pk=quiz.pk).update(
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(days=1)
    )
    page = client.get(_url("quiz-attempt", attempt_id=attempt.pk)).content.decode()
    assert "badge text-bg-success" in page


def test_results_before_release_show_no_score(client, course, enrollment):
    quiz = QuizFactory.create(course=course, release=Quiz.Release.AFTER_CLOSE)
    quiz.grade_item.released_at = quiz.closes_at
    quiz.grade_item.save()
    question = single_question(quiz)
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    answer_save(attempt=attempt, question_id=question.pk, choice_ids=[_right(question)])
    attempt_submit(attempt=attempt)
    client.force_login(enrollment.student)
    page = client.get(_url("quiz-attempt", attempt_id=attempt.pk)).content.decode()
    assert "Score:" not in page
    assert "Results are released on" in page
    detail = client.get(_url("quiz-detail", quiz_id=quiz.pk)).content.decode()
    assert "Not released yet" in detail


# Staff results and the override ---------------------------------------------------------------


def test_staff_override_a_score_with_history(client, quiz, enrollment, teacher):
    attempt_submit(attempt=attempt_start(quiz=quiz, student=enrollment.student))
    client.force_login(teacher)
    url = _url("quiz-student", quiz_id=quiz.pk, student_id=enrollment.student.pk)
    assert client.post(url, {"points": "5"}).status_code == 400  # over the 2 points
    response = client.post(url, {"points": "1.5", "feedback": "Partly right"})
    assert response.status_code == 302
    grade = Grade.objects.get()
    assert (grade.points, grade.is_override, grade.feedback) == (
        Decimal("1.5"),
        True,
        "Partly right",
    )
    page = client.get(url).content.decode()
    assert 'id="grade-history"' in page
    assert "set by staff" in page


def test_a_student_cannot_override(client, quiz, enrollment):
    client.force_login(enrollment.student)
    url = _url("quiz-student", quiz_id=quiz.pk, student_id=enrollment.student.pk)
    assert client.post(url, {"points": "2"}).status_code == 403
    assert not Grade.objects.exists()


def test_quiz_student_of_somebody_outside_the_course_is_404(client, quiz, teacher, outsider):
    client.force_login(teacher)
    url = _url("quiz-student", quiz_id=quiz.pk, student_id=outsider.pk)
    assert client.get(url).status_code == 404


# Query counts ---------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_take_page_queries_do_not_grow_with_questions(client, course, enrollment):
    def page_queries(count: int) -> int:
        quiz = QuizFactory.create(course=course, attempts_allowed=1)
        for _ in range(count):
            question = single_question(quiz)
        attempt = attempt_start(quiz=quiz, student=enrollment.student)
        answer_save(attempt=attempt, question_id=question.pk, choice_ids=[_right(question)])
        return _queries(client, _url("quiz-attempt", attempt_id=attempt.pk))

    client.force_login(enrollment.student)
    assert page_queries(2) == page_queries(9)


def test_results_queries_do_not_grow_with_students(client, course, teacher):
    def page_queries(students: int) -> int:
        quiz = QuizFactory.create(course=course)
        question = single_question(quiz)
        for _ in range(students):
            student: User = EnrollmentFactory.create(course=course).student
            attempt = attempt_start(quiz=quiz, student=student)
            answer_save(attempt=attempt, question_id=question.pk, choice_ids=[_right(question)])
            attempt_submit(attempt=attempt)
        return _queries(client, _url("quiz-results", quiz_id=quiz.pk))

    client.force_login(teacher)
    assert page_queries(2) == page_queries(7)


def test_submitted_results_queries_do_not_grow_with_questions(client, course, enrollment):
    def page_queries(count: int) -> int:
        quiz = QuizFactory.create(course=course)
        for _ in range(count):
            single_question(quiz)
        attempt = attempt_submit(attempt=attempt_start(quiz=quiz, student=enrollment.student))
        return _queries(client, _url("quiz-attempt", attempt_id=attempt.pk))

    client.force_login(enrollment.student)
    assert page_queries(2) == page_queries(8)
