import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.courses.models import Course
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.meetings.models import Meeting
from classmeet.meetings.services import meeting_schedule
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _schedule(course: Course, teacher: User, **kwargs: Any) -> list[Meeting]:
    defaults: dict[str, Any] = {
        "course": course,
        "created_by": teacher,
        "title": "Optics",
        "starts_at": timezone.now() + timedelta(days=1),
        "duration_minutes": 60,
    }
    return meeting_schedule(**(defaults | kwargs))


def test_meeting_schedule_weekly_creates_one_meeting_per_week_in_one_series(
    course, teacher, enrollment
):
    start = timezone.now() + timedelta(days=1)
    meetings = _schedule(course, teacher, starts_at=start, weeks=4)
    assert [m.starts_at for m in meetings] == [start + timedelta(weeks=w) for w in range(4)]
    assert len({m.series for m in meetings}) == 1
    assert meetings[0].series is not None
    assert len({m.ical_uid for m in meetings}) == 4
    assert Meeting.objects.filter(course=course).count() == 4


def test_meeting_schedule_single_meeting_has_no_series(course, teacher):
    (meeting,) = _schedule(course, teacher)
    assert meeting.series is None
    assert meeting.status == Meeting.Status.SCHEDULED


def test_meeting_schedule_notifies_enrolled_students_once(course, teacher, student, outsider):
    EnrollmentFactory.create(course=course, student=student)
    _schedule(course, teacher, weeks=3)
    notes = Notification.objects.filter(kind=Notification.Kind.MEETING_SCHEDULED)
    assert [n.recipient_id for n in notes] == [student.pk]
    assert notes[0].course_id == course.pk
    assert "3 weeks" in notes[0].title


def test_meeting_schedule_rejects_start_in_the_past(course, teacher):
    with pytest.raises(ValidationError) as excinfo:
        _schedule(course, teacher, starts_at=timezone.now() - timedelta(minutes=1))
    assert "starts_at" in excinfo.value.error_dict
    assert not Meeting.objects.exists()


def test_meeting_schedule_accepts_a_start_within_the_current_minute(course, teacher, monkeypatch):
    """At 21:56:40 a start at 21:56:00 is now, not the past (the form has minute precision);
    21:55:59 is the past."""
    now = timezone.now().replace(second=40, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    minute = now.replace(second=0)
    (meeting,) = _schedule(course, teacher, starts_at=minute)
    assert meeting.starts_at == minute
    with pytest.raises(ValidationError) as excinfo:
        _schedule(course, teacher, starts_at=minute - timedelta(seconds=1), title="Late")
    assert excinfo.value.error_dict["starts_at"][0].messages == ["The start is in the past."]
    assert list(Meeting.objects.values_list("title", flat=True)) == ["Optics"]


@pytest.mark.parametrize("minutes", [4, 481, 0])
def test_meeting_schedule_rejects_duration_out_of_range(course, teacher, minutes):
    with pytest.raises(ValidationError) as excinfo:
        _schedule(course, teacher, duration_minutes=minutes)
    assert "duration_minutes" in excinfo.value.error_dict


def test_meeting_schedule_rejects_overlap_with_a_meeting_of_the_same_course(course, teacher):
    start = timezone.now() + timedelta(days=1)
    MeetingFactory.create(course=course, starts_at=start, duration_minutes=60, title="Waves")
    with pytest.raises(ValidationError) as excinfo:
        _schedule(course, teacher, starts_at=start + timedelta(minutes=59))
    assert "Waves" in excinfo.value.error_dict["starts_at"][0].messages[0]


def test_meeting_schedule_allows_back_to_back_and_other_courses_and_cancelled(
    course, teacher, other_teacher
):
    start = timezone.now() + timedelta(days=1)
    MeetingFactory.create(course=course, starts_at=start, duration_minutes=60)
    MeetingFactory.create(starts_at=start + timedelta(hours=1))  # another course
    MeetingFactory.create(
        course=course, starts_at=start + timedelta(hours=1), status=Meeting.Status.CANCELLED
    )
    (meeting,) = _schedule(course, teacher, starts_at=start + timedelta(hours=1))
    assert meeting.pk


def test_meeting_schedule_recurrence_stops_on_an_overlapping_week(course, teacher):
    start = timezone.now() + timedelta(days=1)
    MeetingFactory.create(course=course, starts_at=start + timedelta(weeks=2), title="Exam")
    with pytest.raises(ValidationError):
        _schedule(course, teacher, starts_at=start, weeks=4)
    assert Meeting.objects.filter(course=course).count() == 1  # all or nothing


def test_meeting_schedule_rejects_bad_week_counts(course, teacher):
    for weeks in (0, 53):
        with pytest.raises(ValidationError):
            _schedule(course, teacher, weeks=weeks)


def test_weekly_recurrence_keeps_the_local_time_across_daylight_saving(course, teacher):
    """09:00 in Berlin stays 09:00 after the clocks change (08:00 UTC, then 07:00 UTC)."""
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    meetings = _schedule(
        course, teacher, starts_at=datetime(2027, 3, 15, 9, 0, tzinfo=berlin), weeks=3
    )
    assert [m.starts_at.astimezone(berlin).hour for m in meetings] == [9, 9, 9]
    assert [m.starts_at.astimezone(UTC).hour for m in meetings] == [8, 8, 7]
    for meeting in meetings:
        meeting.refresh_from_db()
        assert meeting.starts_at.astimezone(berlin).hour == 9
