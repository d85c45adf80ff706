from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from classmeet.coursework.models import Answer, Grade, GradeChange, Question, Quiz, QuizAttempt
from classmeet.coursework.selectors.quizzes import attempt_questions, quiz_results
from classmeet.coursework.services.quizzes import (
    answer_save,
    attempt_start,
    attempt_submit,
    quiz_attempts_expire,
    quiz_score_override,
    quiz_update,
)
from classmeet.coursework.tasks import quiz_attempts_expire as expire_task

from .quiz_factories import (
    QuizFactory,
    multiple_question,
    numeric_question,
    single_question,
    true_false_question,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(course):
    return QuizFactory.create(course=course, time_limit_minutes=10)


def _right(question: Question) -> list[int]:
    return [c.pk for c in question.choices.all() if c.is_correct]


def _wrong(question: Question) -> list[int]:
    return [next(c.pk for c in question.choices.all() if not c.is_correct)]


# Starting ---------------------------------------------------------------------------------------


def test_start_sets_the_deadline_from_the_time_limit(quiz, enrollment):
    single_question(quiz)
    now = timezone.now()
    attempt = attempt_start(quiz=quiz, student=enrollment.student, now=now)
    assert attempt.deadline_at == now + timedelta(minutes=10)
    assert attempt.number == 1


def test_start_deadline_never_after_the_close(course, enrollment):
    now = timezone.now()
    quiz = QuizFactory.create(
        course=course, time_limit_minutes=60, closes_at=now + timedelta(minutes=5)
    )
    single_question(quiz)
    attempt = attempt_start(quiz=quiz, student=enrollment.student, now=now)
    assert attempt.deadline_at == quiz.closes_at


def test_double_start_returns_the_same_open_attempt(quiz, enrollment):
    single_question(quiz)
    first = attempt_start(quiz=quiz, student=enrollment.student)
    second = attempt_start(quiz=quiz, student=enrollment.student)
    assert first.pk == second.pk
    assert QuizAttempt.objects.count() == 1


@pytest.mark.parametrize(
    ("opens", "closes", "code"),
    [
        (timedelta(hours=1), timedelta(hours=2), "not_open"),
        (-timedelta(hours=2), -timedelta(hours=1), "closed"),
    ],
)
def test_start_outside_the_window_is_refused(course, enrollment, opens, closes, code):
    now = timezone.now()
    quiz = QuizFactory.create(course=course, opens_at=now + opens, closes_at=now + closes)
    single_question(quiz)
    with pytest.raises(ValidationError) as caught:
        attempt_start(quiz=quiz, student=enrollment.student)
    assert caught.value.code == code
    assert not QuizAttempt.objects.exists()


def test_start_of_a_draft_is_refused(course, enrollment):
    quiz = QuizFactory.create(course=course, status=Quiz.Status.DRAFT)
    single_question(quiz)
    with pytest.raises(ValidationError):
        attempt_start(quiz=quiz, student=enrollment.student)


def test_start_with_no_attempts_left_is_refused(quiz, enrollment):
    single_question(quiz)
    attempt_submit(attempt=attempt_start(quiz=quiz, student=enrollment.student))
    with pytest.raises(ValidationError) as caught:
        attempt_start(quiz=quiz, student=enrollment.student)
    assert caught.value.code == "no_attempts_left"
    assert QuizAttempt.objects.count() == 1


def test_layout_shuffles_options_once_per_attempt(course, enrollment):
    quiz = QuizFactory.create(course=course, shuffle_options=True, attempts_allowed=30)
    question = single_question(quiz, options=10)
    ids = list(question.choices.values_list("pk", flat=True))
    orders = set()
    for _ in range(8):
        attempt = attempt_start(quiz=quiz, student=enrollment.student)
        shown = [c.pk for c in attempt_questions(attempt=attempt)[0].choices]
        again = [c.pk for c in attempt_questions(attempt=attempt)[0].choices]
        assert shown == again  # stable for the attempt
        assert sorted(shown) == sorted(ids)
        orders.add(tuple(shown))
        attempt_submit(attempt=attempt)
    assert len(orders) > 1  # 8 draws of 10! orders all equal: about 1 in 10^52


# Answering --------------------------------------------------------------------------------------


def test_answers_are_saved_and_replaced(quiz, enrollment):
    question = single_question(quiz)
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    answer_save(attempt=attempt, question_id=question.pk, choice_ids=_wrong(question))
    answer_save(attempt=attempt, question_id=question.pk, choice_ids=_right(question))
    assert Answer.objects.get().choice_ids == _right(question)


@pytest.mark.parametrize("case", ["other_question", "two_for_single", "none_for_single", "unknown"])
def test_out_of_range_choices_are_refused(quiz, enrollment, case):
    question = single_question(quiz)
    other = single_question(quiz, text="Another")
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    choices = {
        "other_question": _right(other),
        "two_for_single": [c.pk for c in question.choices.all()][:2],
        "none_for_single": [],
        "unknown": [10**9],
    }[case]
    with pytest.raises(ValidationError):
        answer_save(attempt=attempt, question_id=question.pk, choice_ids=choices)
    assert not Answer.objects.exists()


def test_a_question_of_another_quiz_is_refused(quiz, enrollment, course):
    single_question(quiz)
    stranger = single_question(QuizFactory.create(course=course))
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    with pytest.raises(ValidationError):
        answer_save(attempt=attempt, question_id=stranger.pk, choice_ids=_right(stranger))
    assert not Answer.objects.exists()


@pytest.mark.parametrize("raw", ["", "abc", "NaN", "inf", "-Infinity", "1e400", "1" * 50])
def test_numbers_that_are_not_are_refused(quiz, enrollment, raw):
    question = numeric_question(quiz)
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    with pytest.raises(ValidationError):
        answer_save(attempt=attempt, question_id=question.pk, number=raw)
    assert not Answer.objects.exists()


def test_a_decimal_comma_is_a_number(quiz, enrollment):
    question = numeric_question(quiz)
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    answer_save(attempt=attempt, question_id=question.pk, number=" 9,8 ")
    assert Answer.objects.get().numeric_value == Decimal("9.8")


@override_settings(CLASSMEET_QUIZ_GRACE_SECONDS=10)
def test_an_answer_within_the_grace_is_saved(quiz, enrollment):
    question = single_question(quiz)
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    late = attempt.deadline_at + timedelta(seconds=9)
    answer_save(attempt=attempt, question_id=question.pk, choice_ids=_right(question), now=late)
    assert Answer.objects.count() == 1


@override_settings(CLASSMEET_QUIZ_GRACE_SECONDS=10)
def test_an_answer_after_the_deadline_is_refused_and_the_attempt_submitted(quiz, enrollment):
    question = single_question(quiz)
    second = single_question(quiz, text="Second")
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    answer_save(attempt=attempt, question_id=question.pk, choice_ids=_right(question))
    late = attempt.deadline_at + timedelta(seconds=11)
    with pytest.raises(ValidationError) as caught:
        answer_save(attempt=attempt, question_id=second.pk, choice_ids=_right(second), now=late)
    assert caught.value.code == "deadline"
    assert list(Answer.objects.values_list("question_id", flat=True)) == [question.pk]
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline_at + timedelta(seconds=10)
    assert attempt.score == Decimal(2)
    assert Grade.objects.get().points == Decimal(2)


def test_an_answer_to_a_submitted_attempt_is_refused(quiz, enrollment):
    question = single_question(quiz)
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    attempt_submit(attempt=attempt)
    with pytest.raises(ValidationError) as caught:
        answer_save(attempt=attempt, question_id=question.pk, choice_ids=_right(question))
    assert caught.value.code == "submitted"
    assert not Answer.objects.exists()


# Grading ----------------------------------------------------------------------------------------


def test_submit_grades_each_kind_all_or_nothing(quiz, enrollment):
    single = single_question(quiz, points="2")
    multiple = multiple_question(quiz, points="3", right=(0, 2))
    true_false = true_false_question(quiz, answer=True, points="1")
    numeric = numeric_question(quiz, answer="9.81", tolerance="0.05", points="4")
    skipped = single_question(quiz, points="5", text="Skipped")
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    answer_save(attempt=attempt, question_id=single.pk, choice_ids=_right(single))
    # One of the two right options: nothing (the exact set or nothing).
    answer_save(attempt=attempt, question_id=multiple.pk, choice_ids=_right(multiple)[:1])
    answer_save(attempt=attempt, question_id=true_false.pk, choice_ids=_right(true_false))
    answer_save(attempt=attempt, question_id=numeric.pk, number="9.86")
    submitted = attempt_submit(attempt=attempt)
    assert submitted.score == Decimal(7)
    points = dict(Answer.objects.values_list("question_id", "points"))
    assert points == {
        single.pk: Decimal(2),
        multiple.pk: Decimal(0),
        true_false.pk: Decimal(1),
        numeric.pk: Decimal(4),
    }
    assert skipped.pk not in points
    grade = Grade.objects.get(item=quiz.grade_item, student=enrollment.student)
    assert (grade.points, grade.is_override, grade.graded_by) == (Decimal(7), False, None)


def test_numeric_outside_the_tolerance_scores_nothing(quiz, enrollment):
    numeric = numeric_question(quiz, answer="10", tolerance="0.5")
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    answer_save(attempt=attempt, question_id=numeric.pk, number="10.51")
    assert attempt_submit(attempt=attempt).score == Decimal(0)


def test_multiple_with_the_exact_set_scores(quiz, enrollment):
    multiple = multiple_question(quiz, points="3", right=(1, 3))
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    answer_save(attempt=attempt, question_id=multiple.pk, choice_ids=_right(multiple))
    assert attempt_submit(attempt=attempt).score == Decimal(3)


def test_submitting_twice_changes_nothing(quiz, enrollment):
    question = single_question(quiz)
    attempt = attempt_start(quiz=quiz, student=enrollment.student)
    answer_save(attempt=attempt, question_id=question.pk, choice_ids=_right(question))
    first = attempt_submit(attempt=attempt)
    second = attempt_submit(attempt=attempt, now=timezone.now() + timedelta(minutes=1))
    assert (first.submitted_at, first.score) == (second.submitted_at, second.score)


@pytest.mark.parametrize(("scoring", "expected"), [("best", "2"), ("last", "0")])
def test_the_grade_follows_the_scoring_rule(course, enrollment, scoring, expected):
    quiz = QuizFactory.create(course=course, attempts_allowed=2, scoring=scoring)
    question = single_question(quiz)
    for choices in (_right(question), _wrong(question)):
        attempt = attempt_start(quiz=quiz, student=enrollment.student)
        answer_save(attempt=attempt, question_id=question.pk, choice_ids=choices)
        attempt_submit(attempt=attempt)
    assert Grade.objects.get().points == Decimal(expected)
    row = next(r for r in quiz_results(quiz=quiz) if r.student == enrollment.student)
    assert (row.attempts, row.best, row.last) == (2, Decimal(2), Decimal(0))


def test_a_staff_override_stays_and_keeps_history_after_release(quiz, enrollment):
    question = single_question(quiz)
    student = enrollment.student
    attempt = attempt_start(quiz=quiz, student=student)
    answer_save(attempt=attempt, question_id=question.pk, choice_ids=_wrong(question))
    attempt_submit(attempt=attempt)
    grade = quiz_score_override(
        quiz=quiz, student=student, points=Decimal("1.5"), by=quiz.course.teacher
    )
    assert (grade.points, grade.is_override) == (Decimal("1.5"), True)
    change = GradeChange.objects.get()  # released at publishing: the change is history
    assert (change.old_points, change.new_points, change.changed_by) == (
        Decimal(0),
        Decimal("1.5"),
        quiz.course.teacher,
    )
    # A later automatic grade (another scoring rule's regrade) leaves the override alone.
    quiz_update(
        quiz=quiz,
        title=quiz.title,
        opens_at=quiz.opens_at,
        closes_at=quiz.closes_at,
        scoring=Quiz.Scoring.LAST,
    )
    assert Grade.objects.get().points == Decimal("1.5")


def test_an_override_out_of_range_is_refused(quiz, enrollment):
    single_question(quiz, points="2")
    with pytest.raises(ValidationError):
        quiz_score_override(
            quiz=quiz, student=enrollment.student, points=Decimal(3), by=quiz.course.teacher
        )
    assert not Grade.objects.exists()


# Expiry -----------------------------------------------------------------------------------------


def test_expired_attempts_are_submitted_with_what_was_saved(quiz, enrollment, student):
    question = single_question(quiz)
    attempt = attempt_start(quiz=quiz, student=student)
    answer_save(attempt=attempt, question_id=question.pk, choice_ids=_right(question))
    assert quiz_attempts_expire(now=attempt.deadline_at) == 0  # within the grace
    later = attempt.deadline_at + timedelta(minutes=1)
    assert quiz_attempts_expire(now=later) == 1
    attempt.refresh_from_db()
    assert attempt.score == Decimal(2)
    assert Grade.objects.get().points == Decimal(2)


def test_the_beat_task_expires_overdue_attempts(quiz, enrollment):
    single_question(quiz)
    attempt = attempt_start(
        quiz=quiz, student=enrollment.student, now=timezone.now() - timedelta(minutes=30)
    )
    assert expire_task.delay().get() == 1
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert attempt.score == Decimal(0)


def test_next_start_finalises_an_expired_attempt_first(course, enrollment):
    quiz = QuizFactory.create(course=course, time_limit_minutes=5, attempts_allowed=2)
    single_question(quiz)
    old = attempt_start(
        quiz=quiz, student=enrollment.student, now=timezone.now() - timedelta(minutes=30)
    )
    new = attempt_start(quiz=quiz, student=enrollment.student)
    assert new.pk != old.pk
    assert new.number == 2
    old.refresh_from_db()
    assert old.submitted_at is not None
