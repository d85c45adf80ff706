""" "Due soon" reminders through a real Celery beat and real workers on Redis and PostgreSQL, like
the meeting reminders' (classmeet/meetings/tests/test_reminders_celery.py; the processes and
locks are tests/celery_workers.py's).
"""

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.models import Assignment, AssignmentReminder
from classmeet.notifications.models import Notification
from tests.celery_workers import (
    CELERY_TEST_MARKS,
    kill_worker_mid_scan,
    start,
    stop_two_scanners_at_once,
    wait_for,
)

from .due_factories import AssignmentStudentFactory, SubmissionFactory
from .factories import AssignmentFactory

pytestmark = CELERY_TEST_MARKS

TASK = "classmeet.coursework.tasks.assignment_reminders_send"
DUE = Notification.Kind.ASSIGNMENT_DUE_SOON
WAIT = 120  # seconds for a scan to come round on a busy machine (browser tests run beside it)


@pytest.fixture
def people(course, teacher, outsider):
    students = [EnrollmentFactory.create(course=course).student for _ in range(4)]
    return {"course": course, "teacher": teacher, "students": students, "outsider": outsider}


def _assignment(people: dict[str, Any]) -> Assignment:
    """Due in an hour (so due now), for three of the four students; one of them has submitted."""
    pending, submitted, _unassigned = (
        people["students"][:2],
        people["students"][2],
        people["students"][3],
    )
    # A draft while its students are named: a scan in between must not see it for everybody.
    assignment = AssignmentFactory.create(
        course=people["course"],
        due_at=timezone.now() + timedelta(hours=1),
        status=Assignment.Status.DRAFT,
    )
    for student in [*pending, submitted]:
        AssignmentStudentFactory.create(assignment=assignment, student=student)
    SubmissionFactory.create(assignment=assignment, student=submitted)
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.PUBLISHED)
    return assignment


def _assert_exactly_once(people: dict[str, Any], assignment: Assignment) -> None:
    counts: dict[int, int] = {}
    for n in Notification.objects.filter(url=assignment.get_absolute_url(), kind=DUE):
        counts[n.recipient_id] = counts.get(n.recipient_id, 0) + 1
    assert counts == {s.pk: 1 for s in people["students"][:2]}
    assert not Notification.objects.exclude(kind=DUE).exists()
    reminder = AssignmentReminder.objects.get(assignment=assignment)
    assert (reminder.due_at, reminder.recipients) == (assignment.due_at, 2)


def _reminder_sent(assignment: Assignment) -> Callable[[], bool]:
    return lambda: AssignmentReminder.objects.filter(assignment=assignment).exists()


def test_beat_and_worker_send_the_reminder_exactly_once(celery_processes, people):
    procs = celery_processes
    start(procs, "w1")
    assignment = _assignment(people)
    wait_for(_reminder_sent(assignment), timeout=WAIT, procs=procs, what="the reminder")
    time.sleep(3)  # a few more scans run: they must not send anything again
    _assert_exactly_once(people, assignment)
    # Beat ran from the database schedule it imported from CELERY_BEAT_SCHEDULE.
    entry = PeriodicTask.objects.get(name="coursework-send-due-reminders")
    assert (entry.task, entry.interval.every, entry.expire_seconds) == (TASK, 1, 1)


def test_two_workers_scanning_at_once_send_the_reminder_once(
    celery_processes, people, sender, table_lock
):
    procs = celery_processes
    start(procs, "w1", "w2")
    table_lock.acquire()
    assignment = _assignment(people)
    stop_two_scanners_at_once(table_lock, lambda: sender(TASK), timeout=WAIT)
    for _ in range(6):
        sender(TASK)
    wait_for(_reminder_sent(assignment), timeout=WAIT, procs=procs, what="the reminder")
    for _ in range(6):
        sender(TASK)
    time.sleep(3)
    _assert_exactly_once(people, assignment)


def test_worker_killed_mid_scan_is_redone_once_by_a_new_worker(
    celery_processes, people, table_lock
):
    procs = celery_processes
    start(procs, "w1")
    table_lock.acquire()
    assignment = _assignment(people)
    # The worker claims the reminder and waits to write the notifications.
    kill_worker_mid_scan(
        procs,
        table_lock,
        claimed=lambda: AssignmentReminder.objects.filter(assignment=assignment).exists(),
        timeout=WAIT,
    )
    wait_for(_reminder_sent(assignment), timeout=WAIT, procs=procs, what="the reminder")
    time.sleep(3)
    _assert_exactly_once(people, assignment)
