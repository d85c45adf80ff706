from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from classmeet.courses.tests.factories import CourseFactory
from classmeet.meetings.models import Meeting


class MeetingFactory(DjangoModelFactory[Meeting]):
    """A meeting that is live now unless told otherwise."""

    class Meta:
        model = Meeting

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Live class {n}")
    description = "Bring your questions."
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
    duration_minutes = 60
    created_by = factory.LazyAttribute(lambda m: m.course.teacher)
