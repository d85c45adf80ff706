import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from classmeet.meetings.models import Meeting, MeetingReminder
from classmeet.meetings.services.meetings import meeting_start_now
from classmeet.meetings.services.reminders import meeting_reminders_send
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.CLASSMEET_INSTANT_MEETING_MINUTES = 60
    settings.CLASSMEET_JOIN_WINDOW_MINUTES = 10
    settings.CLASSMEET_REMINDER_MINUTES = [15, 0]
    settings.CLASSMEET_REMINDER_GRACE_MINUTES = 10


def test_meeting_start_now_makes_a_live_meeting_of_the_default_length(course, teacher):
    before = timezone.now()
    started = meeting_start_now(course=course, created_by=teacher)
    meeting = started.meeting
    assert started.created is True
    assert Meeting.objects.get() == meeting
    assert before <= meeting.starts_at <= timezone.now()
    assert meeting.duration_minutes == 60
    assert meeting.title == "Physics 101 — live class"
    assert meeting.created_by == teacher
    assert meeting.phase() == Meeting.Phase.LIVE
    assert meeting.is_joinable()


def test_meeting_start_now_length_is_a_setting(course, teacher, settings):
    settings.CLASSMEET_INSTANT_MEETING_MINUTES = 45
    assert meeting_start_now(course=course, created_by=teacher).meeting.duration_minutes == 45


def test_meeting_start_now_twice_returns_the_open_class(course, teacher):
    """A double click (or a second tab) leads into the class just started, not a second one."""
    first = meeting_start_now(course=course, created_by=teacher)
    second = meeting_start_now(course=course, created_by=teacher)
    assert second.created is False
    assert second.meeting == first.meeting
    assert Meeting.objects.count() == 1


def test_meeting_start_now_leads_into_a_class_whose_room_is_open(course, teacher):
    soon = MeetingFactory.create(course=course, starts_at=timezone.now() + timedelta(minutes=5))
    started = meeting_start_now(course=course, created_by=teacher)
    assert (started.meeting, started.created) == (soon, False)


def test_meeting_start_now_after_the_last_class_ended_starts_a_new_one(course, teacher):
    ended = MeetingFactory.create(course=course, status=Meeting.Status.ENDED)
    started = meeting_start_now(course=course, created_by=teacher)
    assert started.created is True
    assert started.meeting != ended


def test_meeting_start_now_ends_when_the_next_meeting_begins(course, teacher):
    MeetingFactory.create(
        course=course, starts_at=timezone.now() + timedelta(minutes=30, seconds=5)
    )
    started = meeting_start_now(course=course, created_by=teacher)
    assert started.created is True
    assert started.meeting.duration_minutes == 30


def test_meeting_start_now_refuses_when_the_next_meeting_is_too_close(course, teacher, settings):
    settings.CLASSMEET_JOIN_WINDOW_MINUTES = 0  # its room is not open yet
    MeetingFactory.create(course=course, starts_at=timezone.now() + timedelta(minutes=3))
    with pytest.raises(ValidationError, match="join it instead"):
        meeting_start_now(course=course, created_by=teacher)
    assert Meeting.objects.count() == 1


def test_meeting_start_now_tells_the_students_once_and_sends_no_reminder(
    course, teacher, enrollment
):
    """One "starting now" to each student; the reminder scan then has nothing left to send."""
    meeting = meeting_start_now(course=course, created_by=teacher).meeting
    notes = Notification.objects.all()
    assert [(n.recipient_id, n.kind) for n in notes] == [
        (enrollment.student_id, Notification.Kind.MEETING_STARTING_NOW)
    ]
    assert notes[0].title == "“Physics 101 — live class” is starting now"
    for minutes in (0, 1, 5):
        assert meeting_reminders_send(now=timezone.now() + timedelta(minutes=minutes)) == 0
    assert Notification.objects.count() == 1
    assert MeetingReminder.objects.filter(meeting=meeting).count() == 2


@pytest.mark.django_db(transaction=True)
def test_meeting_start_now_clicked_four_times_at_once_makes_one_class(course, teacher):
    """One class, three clicks led into it (on PostgreSQL it takes the course row lock: without
    it each click makes its own class; SQLite serializes the writers anyway)."""
    barrier = threading.Barrier(4)
    outcomes: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def click() -> None:
        try:
            barrier.wait()
            started = meeting_start_now(course=course, created_by=teacher)
            with lock:
                outcomes.append((started.meeting.pk, started.created))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    meeting = Meeting.objects.get()
    assert sorted(outcomes) == [(meeting.pk, False)] * 3 + [(meeting.pk, True)]
