from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.meetings.models import Meeting, MeetingReminder
from classmeet.meetings.services.meetings import (
    meeting_cancel,
    meeting_mark_started,
    meeting_update,
)
from classmeet.meetings.services.reminders import (
    _reminder_windows,
    _send_reminder,
    meeting_reminders_send,
)
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


def _kinds(user: User) -> list[str]:
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


# What the reminders say ------------------------------------------------------------------------

START = datetime(2030, 1, 15, 20, 56, tzinfo=UTC)  # 21:56 in Paris (CET), 15:56 in New York


@pytest.fixture
def evening(course, enrollment, student, teacher):
    student.timezone = "Europe/Paris"
    student.save(update_fields=["timezone"])
    teacher.timezone = "America/New_York"
    teacher.save(update_fields=["timezone"])
    return MeetingFactory.create(course=course, title="Optics", starts_at=START)


def _title(user: User, kind: str | None = None) -> str:
    rows = Notification.objects.filter(recipient=user)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows.get().title


def test_reminder_says_the_start_in_each_recipients_zone_and_the_time_left(
    evening, student, teacher
):
    assert meeting_reminders_send(now=START - timedelta(minutes=15)) == 1
    assert _title(student) == "“Optics” starts at 21:56 CET (in 15 minutes)"
    assert _title(teacher) == "“Optics” starts at 15:56 EST (in 15 minutes)"
    assert MeetingReminder.objects.get().recipients == 2


def test_reminder_without_a_chosen_zone_uses_the_default_zone_and_names_it(meeting, student):
    start = meeting.starts_at
    meeting_reminders_send(now=start - timedelta(minutes=15))
    local = start.astimezone(UTC).strftime("%H:%M")
    assert _title(student) == f"“{meeting.title}” starts at {local} UTC (in 15 minutes)"


def test_meeting_scheduled_inside_the_window_says_the_real_time_left(evening, student):
    """Created 5 minutes before its start: the 15-minute reminder says 5 minutes, not 15."""
    assert meeting_reminders_send(now=START - timedelta(minutes=5)) == 1
    assert _title(student, SOON) == "“Optics” starts at 21:56 CET (in 5 minutes)"
    assert meeting_reminders_send(now=START) == 1
    assert _title(student, NOW) == "“Optics” is starting now (21:56 CET)"


def test_time_left_is_counted_when_the_reminder_is_sent(evening, student):
    """A scan 90 s before the start rounds the time left up: "in 2 minutes"."""
    assert meeting_reminders_send(now=START - timedelta(seconds=90)) == 1
    assert _title(student, SOON) == "“Optics” starts at 21:56 CET (in 2 minutes)"


def test_late_starting_now_reminder_says_how_late(evening, student):
    assert meeting_reminders_send(now=START + timedelta(minutes=3, seconds=10)) == 1
    assert _title(student, NOW) == "“Optics” was due to start at 21:56 CET (3 minutes ago)"


def test_meeting_the_teacher_started_early_gets_no_reminder(evening, student, teacher):
    """The teacher opened the room 20 minutes early (attendance_open calls meeting_mark_started)."""
    assert meeting_mark_started(meeting_id=evening.pk, at=START - timedelta(minutes=20))
    assert meeting_reminders_send(now=START - timedelta(minutes=15)) == 0
    assert meeting_reminders_send(now=START) == 0
    assert not Notification.objects.filter(kind__in=[SOON, NOW]).exists()
    assert not MeetingReminder.objects.exists()


def test_teacher_starting_between_the_reminders_stops_the_next_one(evening, student, teacher):
    assert meeting_reminders_send(now=START - timedelta(minutes=15)) == 1
    meeting_mark_started(meeting_id=evening.pk, at=START - timedelta(minutes=2))
    assert meeting_reminders_send(now=START) == 0
    assert _kinds(student) == [SOON]


def test_meeting_started_once_keeps_its_first_start(evening):
    assert meeting_mark_started(meeting_id=evening.pk, at=START - timedelta(minutes=20))
    assert not meeting_mark_started(meeting_id=evening.pk, at=START)
    evening.refresh_from_db()
    assert evening.started_at == START - timedelta(minutes=20)


def test_meeting_ended_by_the_teacher_gets_no_reminder(evening, student, teacher):
    """Ended for everyone before its time (meeting_mark_ended sets this status)."""
    Meeting.objects.filter(pk=evening.pk).update(status=Meeting.Status.ENDED, ended_at=START)
    assert meeting_reminders_send(now=START - timedelta(minutes=15)) == 0
    assert meeting_reminders_send(now=START) == 0
    assert _kinds(student) == []


def test_started_meeting_found_by_a_scan_is_not_reminded_under_the_lock(evening, teacher):
    """The scan listed the meeting before the teacher came in: the claim sees the start."""
    window = _reminder_windows()[0]
    meeting_mark_started(meeting_id=evening.pk, at=START - timedelta(minutes=16))
    assert not _send_reminder(
        meeting_id=evening.pk,
        starts_at=START,
        window=window,
        now=START - timedelta(minutes=15),
    )
    assert not Notification.objects.filter(kind=SOON).exists()


def test_reminder_is_in_each_recipients_language(evening, student, teacher, test_catalog):
    """One scan, two languages: the French student's in French, the teacher who chose no
    language in the site's (English)."""
    test_catalog(
        "fr",
        {
            (
                "“%(title)s” starts at %(time)s (in %(minutes)d minute)",
                "“%(title)s” starts at %(time)s (in %(minutes)d minutes)",
            ): (
                "« %(title)s » commence à %(time)s (dans %(minutes)d minute)",
                "« %(title)s » commence à %(time)s (dans %(minutes)d minutes)",
            ),
        },
    )
    student.language = "fr"
    student.save(update_fields=["language"])
    assert meeting_reminders_send(now=START - timedelta(minutes=15)) == 1
    assert _title(student) == "« Optics » commence à 21:56 CET (dans 15 minutes)"
    assert _title(teacher) == "“Optics” starts at 15:56 EST (in 15 minutes)"
