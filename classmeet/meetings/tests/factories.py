from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import CourseFactory
from classmeet.meetings.models import Attendance, ChatMessage, Meeting


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


class AttendanceFactory(DjangoModelFactory[Attendance]):
    """A closed visit of ten minutes unless told otherwise."""

    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(StudentFactory)
    peer_id = factory.Sequence(lambda n: f"peer-{n}")
    joined_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=10))
    left_at = factory.LazyAttribute(lambda a: a.joined_at + timedelta(minutes=10))
    closed_by = factory.LazyAttribute(lambda a: "leave" if a.left_at else "")


class ChatMessageFactory(DjangoModelFactory[ChatMessage]):
    class Meta:
        model = ChatMessage

    meeting = factory.SubFactory(MeetingFactory)
    author = factory.SubFactory(StudentFactory)
    text = factory.Sequence(lambda n: f"message {n}")
