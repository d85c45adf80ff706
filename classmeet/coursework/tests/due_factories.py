"""Factories for the due-date tests (reminders, to do, calendar): submissions, named students,
quizzes and their attempts."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import CourseFactory

from ..models import AssignmentStudent, GradeItem, Quiz, QuizAttempt, Submission
from .factories import AssignmentFactory, GradeItemFactory


class SubmissionFactory(DjangoModelFactory[Submission]):
    """A student's work with one attempt counted (the attempt rows are the submit service's)."""

    class Meta:
        model = Submission

    assignment = factory.SubFactory(AssignmentFactory)
    student = factory.SubFactory(StudentFactory)
    attempt_count = 1
    last_submitted_at = factory.LazyFunction(timezone.now)


class AssignmentStudentFactory(DjangoModelFactory[AssignmentStudent]):
    class Meta:
        model = AssignmentStudent

    assignment = factory.SubFactory(AssignmentFactory)
    student = factory.SubFactory(StudentFactory)


class QuizFactory(DjangoModelFactory[Quiz]):
    """A published quiz, open from an hour ago for a week, one attempt allowed."""

    class Meta:
        model = Quiz

    course = factory.SubFactory(CourseFactory)
    grade_item = factory.SubFactory(
        GradeItemFactory,
        course=factory.SelfAttribute("..course"),
        kind=GradeItem.Kind.QUIZ,
        title=factory.SelfAttribute("..title"),
        dated_at=factory.SelfAttribute("..closes_at"),
    )
    title = factory.Sequence(lambda n: f"Quiz {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    attempts_allowed = 1
    status = Quiz.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class QuizAttemptFactory(DjangoModelFactory[QuizAttempt]):
    """A submitted attempt."""

    class Meta:
        model = QuizAttempt

    quiz = factory.SubFactory(QuizFactory)
    student = factory.SubFactory(StudentFactory)
    number = 1
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=10))
    deadline_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=20))
    submitted_at = factory.LazyFunction(timezone.now)
