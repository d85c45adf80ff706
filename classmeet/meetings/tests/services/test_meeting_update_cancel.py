from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.meetings.models import Meeting
from classmeet.meetings.services import meeting_cancel, meeting_update
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def upcoming(course):
    return MeetingFactory.create(course=course, starts_at=timezone.now() + timedelta(days=2))


def _update(meeting: Meeting, actor: User, **changes: Any) -> Meeting:
    values: dict[str, Any] = {
        "title": meeting.title,
        "description": meeting.description,
        "starts_at": meeting.starts_at,
        "duration_minutes": meeting.duration_minutes,
    }
    return meeting_update(meeting=meeting, actor=actor, **(values | changes))


def test_meeting_update_moves_the_meeting_and_notifies_students(
    upcoming, teacher, enrollment, outsider
):
    later = upcoming.starts_at + timedelta(hours=3)
    meeting = _update(upcoming, teacher, starts_at=later, title="Moved")
    meeting.refresh_from_db()
    assert meeting.starts_at == later
    assert meeting.title == "Moved"
    assert meeting.sequence == 1
    notes = Notification.objects.filter(kind=Notification.Kind.MEETING_CHANGED)
    assert [n.recipient_id for n in notes] == [enrollment.student_id]


def test_meeting_update_without_changes_notifies_nobody(upcoming, teacher, enrollment):
    _update(upcoming, teacher)
    assert not Notification.objects.exists()
    upcoming.refresh_from_db()
    assert upcoming.sequence == 0


def test_meeting_update_rejects_overlap_and_past(upcoming, teacher, course):
    other = MeetingFactory.create(course=course, starts_at=upcoming.starts_at + timedelta(hours=5))
    with pytest.raises(ValidationError):
        _update(upcoming, teacher, starts_at=other.starts_at + timedelta(minutes=10))
    with pytest.raises(ValidationError):
        _update(upcoming, teacher, starts_at=timezone.now() - timedelta(hours=1))


def test_meeting_update_of_a_live_meeting_keeps_its_past_start(live_meeting, teacher):
    meeting = _update(live_meeting, teacher, title="Renamed", duration_minutes=90)
    assert meeting.title == "Renamed"
    assert meeting.duration_minutes == 90


def test_meeting_update_refuses_a_cancelled_meeting(upcoming, teacher):
    meeting_cancel(meeting=upcoming, actor=teacher)
    with pytest.raises(ValidationError):
        _update(upcoming, teacher, title="Again")


def test_meeting_cancel_marks_cancelled_bumps_sequence_and_notifies(upcoming, teacher, enrollment):
    meeting = meeting_cancel(meeting=upcoming, actor=teacher)
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.sequence == 1
    assert meeting.phase() == Meeting.Phase.CANCELLED
    assert not meeting.is_joinable()
    notes = Notification.objects.filter(kind=Notification.Kind.MEETING_CANCELLED)
    assert [n.recipient_id for n in notes] == [enrollment.student_id]
    # Cancelling twice is a no-op, not a second notification.
    meeting_cancel(meeting=upcoming, actor=teacher)
    assert notes.count() == 1


def test_meeting_cancel_refuses_an_ended_meeting(course, teacher):
    ended = MeetingFactory.create(course=course, starts_at=timezone.now() - timedelta(hours=3))
    with pytest.raises(ValidationError):
        meeting_cancel(meeting=ended, actor=teacher)
