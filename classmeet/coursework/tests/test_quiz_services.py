from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.models import Course
from classmeet.coursework.models import Answer, Choice, Grade, Question, Quiz, QuizAttempt
from classmeet.coursework.services.quizzes import (
    ChoiceInput,
    answer_save,
    attempt_start,
    attempt_submit,
    question_create,
    question_delete,
    question_move,
    question_update,
    quiz_create,
    quiz_delete,
    quiz_publish,
    quiz_update,
)
from classmeet.notifications.models import Notification

from .quiz_factories import (
    QuizFactory,
    multiple_question,
    numeric_question,
    single_question,
    true_false_question,
)

pytestmark = pytest.mark.django_db


def _draft(course: Course, **extra: Any) -> Quiz:
    now = timezone.now()
    return quiz_create(
        course=course,
        title="Kinematics",
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=2),
        created_by=course.teacher,
        **extra,
    )


def test_quiz_create_makes_an_unpublished_quiz_column(course):
    quiz = _draft(course)
    item = quiz.grade_item
    assert (item.kind, item.title, item.max_points, item.dated_at) == (
        "quiz",
        "Kinematics",
        Decimal(0),
        quiz.closes_at,
    )
    assert (item.is_published, item.released_at, quiz.status) == (False, None, "draft")


def test_quiz_create_refuses_a_window_closing_before_it_opens(course):
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        quiz_create(course=course, title="Backwards", opens_at=now, closes_at=now)
    assert "closes_at" in caught.value.message_dict
    assert not Quiz.objects.exists()


def test_quiz_publish_releases_immediately_and_notifies_enrolled_students(
    course, enrollment, django_capture_on_commit_callbacks
):
    quiz = _draft(course)
    single_question(quiz)
    with django_capture_on_commit_callbacks(execute=True):
        quiz_publish(quiz=quiz, by=course.teacher)
    item = quiz.grade_item
    item.refresh_from_db()
    assert item.is_published
    assert item.released_at == quiz.published_at
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.url) == (
        enrollment.student,
        Notification.Kind.QUIZ_PUBLISHED,
        quiz.get_absolute_url(),
    )


def test_quiz_released_after_close_gets_the_close_as_release(course):
    quiz = _draft(course, release=Quiz.Release.AFTER_CLOSE)
    single_question(quiz)
    quiz_publish(quiz=quiz)
    quiz.grade_item.refresh_from_db()
    assert quiz.grade_item.released_at == quiz.closes_at


def test_quiz_publish_refuses_a_quiz_without_questions(course):
    quiz = _draft(course)
    with pytest.raises(ValidationError):
        quiz_publish(quiz=quiz)
    quiz.refresh_from_db()
    assert quiz.status == Quiz.Status.DRAFT


def test_quiz_update_keeps_the_column_in_step(course):
    quiz = _draft(course)
    closes = quiz.closes_at + timedelta(days=1)
    quiz_update(quiz=quiz, title="Dynamics", opens_at=quiz.opens_at, closes_at=closes)
    quiz.grade_item.refresh_from_db()
    assert (quiz.grade_item.title, quiz.grade_item.dated_at) == ("Dynamics", closes)


def test_quiz_delete_takes_its_column_and_grades(course, student):
    quiz = QuizFactory.create(course=course)
    single_question(quiz)
    Grade.objects.create(item=quiz.grade_item, student=student, points=Decimal(1))
    quiz_delete(quiz=quiz)
    assert not Quiz.objects.exists()
    assert not Grade.objects.exists()


def test_points_follow_the_questions(course):
    quiz = _draft(course)
    first = single_question(quiz, points="2")
    numeric_question(quiz, points="4.5")
    quiz.grade_item.refresh_from_db()
    assert quiz.grade_item.max_points == Decimal("6.5")
    question_update(
        question=first,
        kind=first.kind,
        text=first.text,
        points=Decimal(3),
        choices=[ChoiceInput("a", True), ChoiceInput("b")],
    )
    quiz.grade_item.refresh_from_db()
    assert quiz.grade_item.max_points == Decimal("7.5")
    question_delete(question=first)
    quiz.grade_item.refresh_from_db()
    assert quiz.grade_item.max_points == Decimal("4.5")


REFUSED = [
    ("single", [("a", True)], "choices"),
    ("single", [("a", True), ("b", True)], "choices"),
    ("single", [("a", False), ("b", False)], "choices"),
    ("single", [(f"o{i}", i == 0) for i in range(11)], "choices"),
    ("multiple", [("a", False), ("b", False)], "choices"),
    ("multiple", [("a", True)], "choices"),
    ("true_false", [("True", True), ("False", True)], "choices"),
    ("true_false", [("True", True)], "choices"),
    ("weird", [("a", True), ("b", False)], "kind"),
]


@pytest.mark.parametrize(("kind", "options", "field"), REFUSED)
def test_question_create_refuses_bad_options(course, kind, options, field):
    quiz = _draft(course)
    with pytest.raises(ValidationError) as caught:
        question_create(
            course=course,
            quiz=quiz,
            kind=kind,
            text="Q",
            choices=[ChoiceInput(text, right) for text, right in options],
        )
    assert field in caught.value.message_dict
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("answer", "tolerance", "points", "field"),
    [
        (None, "0", "1", "numeric_answer"),
        ("1", "-0.5", "1", "numeric_tolerance"),
        ("NaN", "0", "1", "numeric_answer"),
        ("1", "0", "-1", "points"),
        ("1", "0", "0.001", "points"),
        ("1", "0", "100000", "points"),
    ],
)
def test_question_create_refuses_bad_numbers(course, answer, tolerance, points, field):
    with pytest.raises(ValidationError) as caught:
        question_create(
            course=course,
            quiz=_draft(course),
            kind=Question.Kind.NUMERIC,
            text="How much?",
            points=Decimal(points),
            numeric_answer=None if answer is None else Decimal(answer),
            numeric_tolerance=Decimal(tolerance),
        )
    assert field in caught.value.message_dict
    assert not Question.objects.exists()


def test_true_false_gets_the_two_labelled_options(course):
    question = true_false_question(_draft(course), answer=False)
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [
        ("True", False),
        ("False", True),
    ]


def test_a_question_for_the_live_class_needs_no_quiz(course):
    question = question_create(
        course=course,
        kind=Question.Kind.MULTIPLE,
        text="Which are vectors?",
        choices=[ChoiceInput("velocity", True), ChoiceInput("mass"), ChoiceInput("force", True)],
    )
    assert question.quiz is None
    assert question.choices.filter(is_correct=True).count() == 2


def test_question_move_swaps_neighbours(course):
    quiz = _draft(course)
    first, _second, third = (single_question(quiz, text=t) for t in ("one", "two", "three"))
    question_move(question=third, up=True)
    question_move(question=first, up=True)  # already first: nothing
    order = list(Question.objects.filter(quiz=quiz).order_by("position").values_list("text"))
    assert order == [("one",), ("three",), ("two",)]


def _attempted(course: Course, student: User) -> tuple[Quiz, Question]:
    quiz = QuizFactory.create(course=course)
    question = single_question(quiz)
    attempt_start(quiz=quiz, student=student)
    return quiz, question


def test_structural_edits_are_refused_once_attempted(course, enrollment):
    quiz, question = _attempted(course, enrollment.student)
    right = [ChoiceInput(c.text, c.is_correct) for c in question.choices.all()]
    moved = [ChoiceInput(c.text, not c.is_correct) for c in question.choices.all()][:2]
    attempts: list[dict[str, Any]] = [
        {"kind": Question.Kind.MULTIPLE, "points": Decimal(2), "choices": right},
        {"kind": Question.Kind.SINGLE, "points": Decimal(5), "choices": right},
        {"kind": Question.Kind.SINGLE, "points": Decimal(2), "choices": right[:2]},
        {"kind": Question.Kind.SINGLE, "points": Decimal(2), "choices": moved},
    ]
    for change in attempts:
        with pytest.raises(ValidationError, match="attempted this quiz already"):
            question_update(question=question, text=question.text, **change)
    with pytest.raises(ValidationError, match="attempted this quiz already"):
        single_question(quiz)
    with pytest.raises(ValidationError, match="attempted this quiz already"):
        question_delete(question=question)
    question.refresh_from_db()
    assert question.points == Decimal(2)
    assert question.choices.count() == 3


def test_texts_can_be_corrected_after_attempts_and_options_keep_their_ids(course, enrollment):
    _quiz, question = _attempted(course, enrollment.student)
    ids = list(question.choices.values_list("pk", flat=True))
    question_update(
        question=question,
        kind=question.kind,
        text="Pick one, carefully",
        points=question.points,
        choices=[ChoiceInput(f"Fixed {i}", i == 0) for i in range(3)],
    )
    assert list(Choice.objects.filter(question=question).values_list("pk", "text")) == [
        (ids[0], "Fixed 0"),
        (ids[1], "Fixed 1"),
        (ids[2], "Fixed 2"),
    ]


def test_scoring_change_regrades(course, enrollment):
    student = enrollment.student
    quiz = QuizFactory.create(course=course, attempts_allowed=2, scoring=Quiz.Scoring.BEST)
    question = single_question(quiz)
    right, wrong = question.choices.all()[0], question.choices.all()[1]
    for choice in (right, wrong):
        attempt = attempt_start(quiz=quiz, student=student)
        answer_save(attempt=attempt, question_id=question.pk, choice_ids=[choice.pk])
        attempt_submit(attempt=attempt)
    assert Grade.objects.get().points == Decimal(2)
    quiz_update(
        quiz=quiz,
        title=quiz.title,
        opens_at=quiz.opens_at,
        closes_at=quiz.closes_at,
        attempts_allowed=2,
        scoring=Quiz.Scoring.LAST,
    )
    assert Grade.objects.get().points == Decimal(0)
    assert QuizAttempt.objects.count() == 2
    assert Answer.objects.count() == 2


def test_multiple_and_numeric_factories_sum_points(course):
    quiz = _draft(course)
    multiple_question(quiz)
    numeric_question(quiz)
    true_false_question(quiz)
    quiz.grade_item.refresh_from_db()
    assert quiz.grade_item.max_points == Decimal(8)
