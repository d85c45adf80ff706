from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework import tasks
from classmeet.coursework.models import Assignment, AssignmentReminder
from classmeet.coursework.services.reminders import (
    _send_reminder,
    assignment_due_scan,
    assignment_reminders_send,
)
from classmeet.notifications.models import Notification

from .due_factories import AssignmentStudentFactory, SubmissionFactory
from .factories import AssignmentFactory

pytestmark = pytest.mark.django_db

DUE = Notification.Kind.ASSIGNMENT_DUE_SOON
DUE_AT = datetime(2030, 1, 15, 20, 56, tzinfo=UTC)  # 21:56 in Paris (CET), 15:56 in New York


@pytest.fixture
def essay(course, enrollment):
    return AssignmentFactory.create(course=course, title="Essay", due_at=DUE_AT)


def _titles(user: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=DUE).values_list("title", flat=True)
    )


def test_reminder_is_sent_once_from_24_hours_before_until_due(essay, student, teacher, outsider):
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=24, seconds=1)) == 0
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=24)) == 1
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=23)) == 0
    assert assignment_reminders_send(now=DUE_AT - timedelta(seconds=1)) == 0
    assert len(_titles(student)) == 1
    assert _titles(teacher) == []
    assert _titles(outsider) == []
    reminder = AssignmentReminder.objects.get()
    assert (reminder.assignment_id, reminder.due_at, reminder.recipients) == (essay.pk, DUE_AT, 1)
    notification = Notification.objects.get(kind=DUE)
    assert (notification.url, notification.course_id) == (essay.get_absolute_url(), essay.course_id)


def test_no_reminder_once_due(essay, student):
    assert assignment_reminders_send(now=DUE_AT) == 0
    assert assignment_reminders_send(now=DUE_AT + timedelta(hours=1)) == 0
    assert not Notification.objects.exists()
    assert not AssignmentReminder.objects.exists()


def test_drafts_get_no_reminder(essay, student):
    Assignment.objects.filter(pk=essay.pk).update(status=Assignment.Status.DRAFT)
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=1)) == 0
    assert not Notification.objects.exists()


def test_students_who_submitted_or_are_not_assigned_get_nothing(course, essay, student):
    submitted = EnrollmentFactory.create(course=course).student
    SubmissionFactory.create(assignment=essay, student=submitted)
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=2)) == 1
    assert len(_titles(student)) == 1
    assert _titles(submitted) == []

    # An assignment for named students: only those, and only while enrolled.
    named = AssignmentFactory.create(
        course=course, due_at=DUE_AT, status=Assignment.Status.DRAFT, title="Lab"
    )
    chosen = EnrollmentFactory.create(course=course).student
    left = StudentFactory.create()  # named, then no longer enrolled
    for who in (chosen, left):
        AssignmentStudentFactory.create(assignment=named, student=who)
    Assignment.objects.filter(pk=named.pk).update(status=Assignment.Status.PUBLISHED)
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=1)) == 1
    assert len(_titles(chosen)) == 1
    assert _titles(left) == []
    assert len(_titles(student)) == 1  # the essay's, not the lab's
    assert AssignmentReminder.objects.get(assignment=named).recipients == 1


def test_a_moved_due_date_reminds_again(essay, student):
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=20)) == 1
    later = DUE_AT + timedelta(days=2)
    Assignment.objects.filter(pk=essay.pk).update(due_at=later)
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=1)) == 0  # not at the old date
    assert assignment_reminders_send(now=later - timedelta(hours=3)) == 1
    assert assignment_reminders_send(now=later - timedelta(hours=2)) == 0
    assert len(_titles(student)) == 2
    assert sorted(AssignmentReminder.objects.values_list("due_at", flat=True)) == [DUE_AT, later]


def test_many_assignments_and_courses_in_one_scan(course, essay, student):
    other = AssignmentFactory.create(due_at=DUE_AT + timedelta(hours=3))  # another course
    other_student = EnrollmentFactory.create(course=other.course).student
    AssignmentFactory.create(course=course, due_at=DUE_AT + timedelta(hours=2))
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=12)) == 3
    assert len(_titles(student)) == 2
    assert len(_titles(other_student)) == 1


def test_an_assignment_with_nobody_to_remind_is_still_claimed(essay, student):
    SubmissionFactory.create(assignment=essay, student=student)
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=2)) == 1
    assert AssignmentReminder.objects.get().recipients == 0
    assert assignment_due_scan(now=DUE_AT - timedelta(hours=1)) == []


def test_scan_skips_claimed_reminders(essay):
    now = DUE_AT - timedelta(hours=2)
    assert assignment_due_scan(now=now) == [(essay.pk, DUE_AT)]
    assignment_reminders_send(now=now)
    assert assignment_due_scan(now=now) == []


def test_assignment_changed_after_the_scan_is_not_reminded_under_the_lock(essay, student):
    """The scan listed the assignment before the teacher moved it or took it back to draft."""
    now = DUE_AT - timedelta(hours=2)
    Assignment.objects.filter(pk=essay.pk).update(due_at=DUE_AT + timedelta(days=1))
    assert not _send_reminder(assignment_id=essay.pk, due_at=DUE_AT, now=now)
    Assignment.objects.filter(pk=essay.pk).update(due_at=DUE_AT, status=Assignment.Status.DRAFT)
    assert not _send_reminder(assignment_id=essay.pk, due_at=DUE_AT, now=now)
    Assignment.objects.filter(pk=essay.pk).update(status=Assignment.Status.PUBLISHED)
    assert not _send_reminder(assignment_id=essay.pk, due_at=DUE_AT, now=DUE_AT)
    assert not _send_reminder(assignment_id=essay.pk + 1000, due_at=DUE_AT, now=now)
    assert not Notification.objects.exists()
    assert _send_reminder(assignment_id=essay.pk, due_at=DUE_AT, now=now)
    assert not _send_reminder(assignment_id=essay.pk, due_at=DUE_AT, now=now)  # claimed
    assert len(_titles(student)) == 1


def test_the_beat_task_runs_the_scan(course, enrollment, student):
    AssignmentFactory.create(course=course, due_at=timezone.now() + timedelta(hours=5))
    assert tasks.assignment_reminders_send() == 1
    assert tasks.assignment_reminders_send() == 0
    assert len(_titles(student)) == 1


# What the reminders say ------------------------------------------------------------------------


def test_reminder_says_the_due_time_in_each_students_zone(course, essay, student):
    student.timezone = "Europe/Paris"
    student.save(update_fields=["timezone"])
    other = EnrollmentFactory.create(course=course).student
    other.timezone = "America/New_York"
    other.save(update_fields=["timezone"])
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=24)) == 1
    assert _titles(student) == ["“Essay” is due Jan 15, 2030 21:56 CET (in 24 hours)"]
    assert _titles(other) == ["“Essay” is due Jan 15, 2030 15:56 EST (in 24 hours)"]
    assert AssignmentReminder.objects.get().recipients == 2


def test_reminder_without_a_chosen_zone_uses_the_default_zone(essay, student):
    assignment_reminders_send(now=DUE_AT - timedelta(hours=3, minutes=30))
    assert _titles(student) == ["“Essay” is due Jan 15, 2030 20:56 UTC (in 3 hours)"]


@pytest.mark.parametrize(
    ("before", "left"),
    [
        (timedelta(hours=1), "in 1 hour"),
        (timedelta(minutes=59, seconds=30), "in 60 minutes"),
        (timedelta(minutes=1), "in 1 minute"),
        (timedelta(seconds=5), "in 1 minute"),
    ],
)
def test_reminder_says_the_real_time_left(essay, student, before, left):
    """An assignment published an hour before its due date gets its reminder with the hour."""
    assignment_reminders_send(now=DUE_AT - before)
    assert _titles(student) == [f"“Essay” is due Jan 15, 2030 20:56 UTC ({left})"]


def test_reminder_is_in_each_students_language_and_zone(course, essay, student):
    """The due date as each student's language writes it, in their zone, in one scan."""
    classmate = StudentFactory.create(username="classmate")
    EnrollmentFactory.create(course=course, student=classmate)
    User.objects.filter(pk=student.pk).update(language="fr", timezone="Europe/Paris")
    User.objects.filter(pk=classmate.pk).update(language="es", timezone="Europe/Paris")
    assert assignment_reminders_send(now=DUE_AT - timedelta(hours=2)) == 1
    # Month names from Django's own catalogs; the sentence itself waits for the translators.
    assert "15 janvier 2030 21:56 CET" in _titles(student)[0]
    assert "15 de enero de 2030 21:56 CET" in _titles(classmate)[0]
