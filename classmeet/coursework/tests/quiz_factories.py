"""Factories of quizzes: an open, published quiz (its column released at publishing) and its
questions, added through the service so the column's points stay the questions' sum."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from classmeet.courses.tests.factories import CourseFactory

from ..models import Question, Quiz
from ..services.quizzes import ChoiceInput, question_create, true_false_choices
from .factories import GradeItemFactory


class QuizFactory(DjangoModelFactory[Quiz]):
    class Meta:
        model = Quiz

    course = factory.SubFactory(CourseFactory)
    grade_item = factory.SubFactory(
        GradeItemFactory,
        course=factory.SelfAttribute("..course"),
        kind="quiz",
        title=factory.SelfAttribute("..title"),
        dated_at=factory.SelfAttribute("..closes_at"),
        max_points=Decimal(0),
        released_at=factory.SelfAttribute("..published_at"),
    )
    title = factory.Sequence(lambda n: f"Quiz {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    status = Quiz.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


def single_question(
    quiz: Quiz, *, points: str = "2", options: int = 3, right: int = 0, text: str = "Pick one"
) -> Question:
    """A single-choice question with `options` options, the `right`-th correct."""
    return question_create(
        course=quiz.course,
        quiz=quiz,
        kind=Question.Kind.SINGLE,
        text=text,
        points=Decimal(points),
        choices=[ChoiceInput(f"Option {i}", i == right) for i in range(options)],
    )


def multiple_question(
    quiz: Quiz, *, points: str = "3", right: tuple[int, ...] = (0, 2)
) -> Question:
    return question_create(
        course=quiz.course,
        quiz=quiz,
        kind=Question.Kind.MULTIPLE,
        text="Pick all that apply",
        points=Decimal(points),
        choices=[ChoiceInput(f"Option {i}", i in right) for i in range(4)],
    )


def true_false_question(quiz: Quiz, *, answer: bool = True, points: str = "1") -> Question:
    return question_create(
        course=quiz.course,
        quiz=quiz,
        kind=Question.Kind.TRUE_FALSE,
        text="The sky is blue.",
        points=Decimal(points),
        choices=true_false_choices(answer=answer),
    )


def numeric_question(
    quiz: Quiz, *, answer: str = "9.81", tolerance: str = "0.05", points: str = "4"
) -> Question:
    return question_create(
        course=quiz.course,
        quiz=quiz,
        kind=Question.Kind.NUMERIC,
        text="g in m/s²?",
        points=Decimal(points),
        numeric_answer=Decimal(answer),
        numeric_tolerance=Decimal(tolerance),
    )
