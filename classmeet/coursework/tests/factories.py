"""Factories of coursework rows (see classmeet/courses/tests/factories.py for courses and users)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from classmeet.courses.tests.factories import CourseFactory

from ..models import Assignment, GradeItem


class GradeItemFactory(DjangoModelFactory[GradeItem]):
    class Meta:
        model = GradeItem

    course = factory.SubFactory(CourseFactory)
    kind = GradeItem.Kind.ASSIGNMENT
    title = factory.Sequence(lambda n: f"Item {n}")
    max_points = Decimal(10)
    dated_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    is_published = True


class AssignmentFactory(DjangoModelFactory[Assignment]):
    class Meta:
        model = Assignment

    course = factory.SubFactory(CourseFactory)
    grade_item = factory.SubFactory(
        GradeItemFactory,
        course=factory.SelfAttribute("..course"),
        title=factory.SelfAttribute("..title"),
        dated_at=factory.SelfAttribute("..due_at"),
    )
    title = factory.Sequence(lambda n: f"Assignment {n}")
    instructions = "Write **one page**."
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    status = Assignment.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
