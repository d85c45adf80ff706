from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from classmeet.meetings.models import Attendance
from classmeet.meetings.services.attendance import (
    attendance_close,
    attendance_close_meeting,
    attendance_close_user,
    attendance_open,
    meeting_mark_ended,
)
from classmeet.meetings.services.reminders import meeting_reminders_send
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_attendance_open_records_the_peer(live_meeting, student):
    row = attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="p1")
    assert row.is_open
    assert (row.meeting_id, row.user_id, row.peer_id) == (live_meeting.pk, student.pk, "p1")


def test_attendance_open_twice_with_the_same_peer_keeps_one_row(live_meeting, student):
    first = attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="p1")
    again = attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="p1")
    assert again.pk == first.pk
    assert Attendance.objects.count() == 1


def test_a_join_recorded_after_the_meeting_ended_is_closed_as_ended(live_meeting, student):
    """The teacher ended the meeting while this student's join was on its way: the row must not
    stay open, nor be closed later as an ordinary leave."""
    meeting_mark_ended(meeting=live_meeting)
    row = attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="late")
    assert (row.closed_by, row.left_at) == (Attendance.ClosedBy.ENDED, row.joined_at)
    assert attendance_close(peer_ids=["late"], closed_by=Attendance.ClosedBy.LEAVE) == 0


def test_attendance_close_sets_leave_time_and_reason(live_meeting, student):
    attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="p1")
    assert attendance_close(peer_ids=["p1"], closed_by="leave") == 1
    row = Attendance.objects.get()
    assert row.left_at is not None
    assert row.closed_by == "leave"


def test_attendance_close_keeps_the_first_reason(live_meeting, student):
    """A leave followed by a late heartbeat expiry of the same peer stays a leave."""
    attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="p1")
    attendance_close(peer_ids=["p1"], closed_by="leave")
    left_at = Attendance.objects.get().left_at
    assert attendance_close(peer_ids=["p1"], closed_by="crash") == 0
    row = Attendance.objects.get()
    assert (row.closed_by, row.left_at) == ("leave", left_at)


def test_attendance_close_by_crash_uses_the_last_heartbeat(live_meeting, student):
    joined = timezone.now() - timedelta(minutes=3)
    attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="p1", at=joined)
    last_seen = joined + timedelta(minutes=1)
    attendance_close(peer_ids=["p1"], closed_by="crash", at=last_seen)
    row = Attendance.objects.get()
    assert (row.closed_by, row.left_at) == ("crash", last_seen)


def test_attendance_close_never_before_the_join(live_meeting, student):
    joined = timezone.now()
    attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="p1", at=joined)
    attendance_close(peer_ids=["p1"], closed_by="crash", at=joined - timedelta(seconds=5))
    assert Attendance.objects.get().left_at == joined


def test_attendance_close_rejects_an_unknown_reason(live_meeting, student):
    attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="p1")
    with pytest.raises(ValueError, match="unknown closing reason"):
        attendance_close(peer_ids=["p1"], closed_by="bored")


def test_attendance_close_user_closes_every_tab_of_that_user_only(live_meeting, student, outsider):
    attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="tab1")
    attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="tab2")
    attendance_open(meeting_id=live_meeting.pk, user_id=outsider.pk, peer_id="other")
    closed = attendance_close_user(
        meeting_id=live_meeting.pk, user_id=student.pk, closed_by="removed"
    )
    assert closed == 2
    assert set(
        Attendance.objects.filter(closed_by="removed").values_list("peer_id", flat=True)
    ) == {
        "tab1",
        "tab2",
    }
    assert Attendance.objects.get(peer_id="other").is_open


def test_attendance_close_meeting_closes_only_that_meeting(live_meeting, student, course):
    from classmeet.meetings.tests.factories import MeetingFactory

    other = MeetingFactory.create(course=course)
    attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="a")
    attendance_open(meeting_id=other.pk, user_id=student.pk, peer_id="b")
    assert attendance_close_meeting(meeting_id=live_meeting.pk, closed_by="ended") == 1
    assert Attendance.objects.get(peer_id="a").closed_by == "ended"
    assert Attendance.objects.get(peer_id="b").is_open


def test_attendance_rows_cannot_leave_before_joining(live_meeting, student):
    now = timezone.now()
    with pytest.raises(IntegrityError):
        Attendance.objects.create(
            meeting=live_meeting,
            user=student,
            peer_id="x",
            joined_at=now,
            left_at=now - timedelta(seconds=1),
            closed_by="leave",
        )


def test_the_teachers_first_join_marks_the_meeting_started_even_early(course, teacher, student):
    """An early start: the teacher opens the room 10 minutes before its time (no reminders then)."""
    start = timezone.now() + timedelta(minutes=10)
    meeting = MeetingFactory.create(course=course, starts_at=start)
    attendance_open(meeting_id=meeting.pk, user_id=student.pk, peer_id="s1")
    meeting.refresh_from_db()
    assert meeting.started_at is None  # a student waiting in the room starts nothing
    joined = timezone.now()
    attendance_open(meeting_id=meeting.pk, user_id=teacher.pk, peer_id="t1", at=joined)
    attendance_open(meeting_id=meeting.pk, user_id=teacher.pk, peer_id="t2")  # a second tab
    meeting.refresh_from_db()
    assert meeting.started_at == joined
    assert meeting_reminders_send(now=start - timedelta(minutes=5)) == 0
