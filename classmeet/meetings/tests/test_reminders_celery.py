"""Reminders through a real Celery beat and real workers on Redis and PostgreSQL.

The subprocesses run the production code path (beat's DatabaseScheduler queues the scan from
CELERY_BEAT_SCHEDULE, a worker runs it) against pytest's test database; only the reminder offsets
and the scan interval are shortened through their environment settings.
"""

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from classmeet.courses.models import Course
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.meetings.models import Meeting, MeetingReminder
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification
from tests.celery_workers import (
    kill_worker_mid_scan,
    start,
    stop_two_scanners_at_once,
    wait_for,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.celery,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.timeout(240),
]

SOON_OFFSET = 36  # seconds; CLASSMEET_REMINDER_MINUTES=0.6,0
CELERY_ENV = {"CLASSMEET_REMINDER_MINUTES": f"{SOON_OFFSET / 60},0"}  # see tests/celery_workers.py
# The meeting starts this long after it is created: "starting soon" is due after 9 s and stays due
# until the start, time enough for a worker to be killed and another to start on a busy machine.
LEAD = 45
TASK = "classmeet.meetings.tasks.meeting_reminders_send"
SOON = Notification.Kind.MEETING_STARTING_SOON
NOW = Notification.Kind.MEETING_STARTING_NOW


@pytest.fixture
def people(course, teacher, outsider):
    students = [EnrollmentFactory.create(course=course).student for _ in range(3)]
    return {"course": course, "teacher": teacher, "students": students, "outsider": outsider}


def _meeting(course: Course, lead: int = LEAD) -> Meeting:
    return MeetingFactory.create(
        course=course, starts_at=timezone.now() + timedelta(seconds=lead), duration_minutes=30
    )


def _assert_exactly_once(people: dict[str, Any], meeting: Meeting) -> None:
    counts: dict[tuple[int, str], int] = {}
    for n in Notification.objects.filter(url=meeting.get_absolute_url()):
        counts[(n.recipient_id, n.kind)] = counts.get((n.recipient_id, n.kind), 0) + 1
    expected = {
        (u.pk, kind): 1 for u in [*people["students"], people["teacher"]] for kind in (SOON, NOW)
    }
    assert counts == expected
    assert not Notification.objects.filter(recipient=people["outsider"]).exists()
    reminders = MeetingReminder.objects.filter(meeting=meeting)
    assert sorted(reminders.values_list("offset_seconds", flat=True)) == [0, SOON_OFFSET]


def _both_reminders_sent(meeting: Meeting) -> Callable[[], bool]:
    return lambda: MeetingReminder.objects.filter(meeting=meeting).count() == 2


def test_beat_and_worker_send_each_reminder_exactly_once(celery_processes, people):
    procs = celery_processes
    start(procs, "w1")
    meeting = _meeting(people["course"])
    wait_for(_both_reminders_sent(meeting), timeout=LEAD + 40, procs=procs, what="both reminders")
    time.sleep(3)  # a few more scans run: they must not send anything again
    _assert_exactly_once(people, meeting)
    # Beat ran from the database schedule it imported from CELERY_BEAT_SCHEDULE.
    entry = PeriodicTask.objects.get(name="meetings-send-due-reminders")
    assert (entry.task, entry.interval.every, entry.expire_seconds) == (TASK, 1, 1)


def test_two_workers_scanning_at_once_send_each_reminder_once(
    celery_processes, people, sender, table_lock
):
    procs = celery_processes
    start(procs, "w1", "w2")
    table_lock.acquire()
    meeting = _meeting(people["course"])
    stop_two_scanners_at_once(table_lock, lambda: sender(TASK), timeout=LEAD)
    for _ in range(6):  # and again at the start, racing
        sender(TASK)
    wait_for(_both_reminders_sent(meeting), timeout=LEAD + 40, procs=procs, what="both reminders")
    for _ in range(6):
        sender(TASK)
    time.sleep(3)
    _assert_exactly_once(people, meeting)


def test_worker_killed_mid_scan_is_redone_once_by_a_new_worker(
    celery_processes, people, table_lock
):
    procs = celery_processes
    start(procs, "w1")
    table_lock.acquire()
    meeting = _meeting(people["course"])
    # The worker claims the "starting soon" reminder and waits to write the notifications.
    kill_worker_mid_scan(
        procs,
        table_lock,
        claimed=lambda: MeetingReminder.objects.filter(meeting=meeting).exists(),
        timeout=LEAD,
    )
    wait_for(_both_reminders_sent(meeting), timeout=LEAD + 40, procs=procs, what="both reminders")
    time.sleep(3)
    _assert_exactly_once(people, meeting)
