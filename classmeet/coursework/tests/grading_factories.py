"""Factories of submissions and their attempts, for the grading and gradebook tests."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from classmeet.accounts.tests.factories import StudentFactory

from ..models import Submission, SubmissionAttempt
from .factories import AssignmentFactory


class SubmissionFactory(DjangoModelFactory[Submission]):
    """A submission with one attempt (`attempt__days_late=2` makes it two days late)."""

    class Meta:
        model = Submission
        skip_postgeneration_save = True

    assignment = factory.SubFactory(AssignmentFactory)
    student = factory.SubFactory(StudentFactory)
    attempt_count = 1
    last_submitted_at = factory.LazyFunction(timezone.now)
    is_late = factory.LazyAttribute(lambda s: False)

    @factory.post_generation  # type: ignore[untyped-decorator]
    def attempt(obj: Submission, create: bool, extracted: object, **kwargs: object) -> None:
        if not create or extracted is False:
            return
        days_late = int(kwargs.pop("days_late", 0))  # type: ignore[call-overload]
        SubmissionAttempt.objects.create(
            submission=obj,
            number=1,
            text=str(kwargs.pop("text", "My *answer*")),
            submitted_at=obj.last_submitted_at or timezone.now(),
            is_late=days_late > 0,
            days_late=days_late,
        )
        if days_late and not obj.is_late:
            obj.is_late = True
            obj.save(update_fields=["is_late"])


class SubmissionAttemptFactory(DjangoModelFactory[SubmissionAttempt]):
    class Meta:
        model = SubmissionAttempt

    submission = factory.SubFactory(SubmissionFactory, attempt=False)
    number = factory.Sequence(lambda n: n + 1)
    text = "Another try"
    submitted_at = factory.LazyFunction(timezone.now)
