from datetime import timedelta

import pytest
from django.utils import timezone

from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.meetings.models import MeetingReminder
from classmeet.meetings.services import meeting_cancel, meeting_reminders_send, meeting_update
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db

SOON = Notification.Kind.MEETING_STARTING_SOON
NOW = Notification.Kind.MEETING_STARTING_NOW


@pytest.fixture(autouse=True)
def _offsets(settings):
    settings.CLASSMEET_REMINDER_MINUTES = [15, 0]
    settings.CLASSMEET_REMINDER_GRACE_MINUTES = 10


@pytest.fixture
def meeting(course, enrollment):
    return MeetingFactory.create(course=course, starts_at=timezone.now() + timedelta(minutes=30))


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_reminders_are_sent_once_per_kind_to_students_and_teacher(
    meeting, student, teacher, outsider
):
    start = meeting.starts_at
    assert meeting_reminders_send(now=start - timedelta(minutes=16)) == 0
    assert meeting_reminders_send(now=start - timedelta(minutes=15)) == 1
    assert meeting_reminders_send(now=start - timedelta(minutes=14)) == 0
    assert meeting_reminders_send(now=start - timedelta(seconds=1)) == 0
    assert meeting_reminders_send(now=start) == 1
    assert meeting_reminders_send(now=start + timedelta(minutes=1)) == 0
    assert _kinds(student) == [NOW, SOON]
    assert _kinds(teacher) == [NOW, SOON]
    assert _kinds(outsider) == []
    assert MeetingReminder.objects.filter(meeting=meeting).count() == 2
    assert set(MeetingReminder.objects.values_list("recipients", flat=True)) == {2}


def test_reminder_for_a_meeting_scheduled_inside_the_window_is_one_soon(meeting, student):
    start = meeting.starts_at
    assert meeting_reminders_send(now=start - timedelta(minutes=3)) == 1
    assert _kinds(student) == [SOON]


def test_late_scan_sends_only_the_current_reminder(meeting, student):
    """A scan that missed the 15-minute mark after the start sends "starting now" only."""
    assert meeting_reminders_send(now=meeting.starts_at + timedelta(minutes=2)) == 1
    assert _kinds(student) == [NOW]


def test_no_reminder_after_the_grace_period(meeting, student):
    assert meeting_reminders_send(now=meeting.starts_at + timedelta(minutes=11)) == 0


def test_cancelled_meetings_get_no_reminders(meeting, teacher, student):
    meeting_cancel(meeting=meeting, actor=teacher)
    Notification.objects.all().delete()
    assert meeting_reminders_send(now=meeting.starts_at - timedelta(minutes=15)) == 0
    assert meeting_reminders_send(now=meeting.starts_at) == 0
    assert not Notification.objects.exists()


def test_meeting_moved_later_gets_its_reminders_again(meeting, teacher, student):
    start = meeting.starts_at
    meeting_reminders_send(now=start - timedelta(minutes=15))
    later = start + timedelta(hours=2)
    meeting_update(
        meeting=meeting,
        actor=teacher,
        title=meeting.title,
        description=meeting.description,
        starts_at=later,
        duration_minutes=meeting.duration_minutes,
    )
    # Nothing at the old start time.
    assert meeting_reminders_send(now=start) == 0
    assert meeting_reminders_send(now=later - timedelta(minutes=15)) == 1
    assert meeting_reminders_send(now=later) == 1
    soon = Notification.objects.filter(recipient=student, kind=SOON).count()
    assert soon == 2
    assert Notification.objects.filter(recipient=student, kind=NOW).count() == 1


def test_reminders_cover_many_meetings_and_every_student(course, teacher):
    students = [EnrollmentFactory.create(course=course).student for _ in range(3)]
    now = timezone.now()
    for minutes in (10, 12):
        MeetingFactory.create(course=course, starts_at=now + timedelta(minutes=minutes))
    other = MeetingFactory.create(starts_at=now + timedelta(minutes=5))  # another course
    assert meeting_reminders_send(now=now) == 3
    for s in students:
        assert _kinds(s) == [SOON, SOON]
    assert _kinds(other.course.teacher) == [SOON]


def test_fractional_offsets_are_seconds(settings, meeting, student):
    settings.CLASSMEET_REMINDER_MINUTES = [0.5, 0]
    start = meeting.starts_at
    assert meeting_reminders_send(now=start - timedelta(seconds=31)) == 0
    assert meeting_reminders_send(now=start - timedelta(seconds=30)) == 1
    assert MeetingReminder.objects.get().offset_seconds == 30


def test_no_configured_offsets_sends_nothing(settings, meeting):
    settings.CLASSMEET_REMINDER_MINUTES = []
    assert meeting_reminders_send(now=meeting.starts_at) == 0
