from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError

from classmeet import access
from classmeet.meetings.models import Meeting
from classmeet.rooms.models import Attendance, RoomRemoval
from classmeet.rooms.services.attendance import attendance_open
from classmeet.rooms.services.controls import meeting_end, room_removal_create
from classmeet.rooms.services.events import meeting_group_name

pytestmark = pytest.mark.django_db


@pytest.fixture
def room_listener(live_meeting):
    """A channel in the meeting's group, as a consumer's socket would be."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(meeting_group_name(live_meeting.pk), channel)

    def receive() -> Any:
        return async_to_sync(layer.receive)(channel)

    return receive


def test_room_removal_closes_the_users_tabs_and_refuses_rejoin(
    live_meeting, enrollment, student, teacher, room_listener, django_capture_on_commit_callbacks
):
    attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="tab1")
    attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="tab2")
    assert (
        access.rooms.room_entry(user=student, meeting_id=live_meeting.pk)[0]
        is access.rooms.RoomEntry.ALLOWED
    )
    with django_capture_on_commit_callbacks(execute=True):
        room_removal_create(meeting=live_meeting, user_id=student.pk, by_id=teacher.pk)
    assert RoomRemoval.objects.get().by == teacher
    assert set(Attendance.objects.values_list("closed_by", flat=True)) == {"removed"}
    assert room_listener() == {"type": "room.removed", "user_id": student.pk, "by_id": teacher.pk}
    entry, _meeting = access.rooms.room_entry(user=student, meeting_id=live_meeting.pk)
    assert entry is access.rooms.RoomEntry.REMOVED
    assert entry.value == 4410


def test_room_removal_twice_keeps_one_row(live_meeting, enrollment, student, teacher):
    room_removal_create(meeting=live_meeting, user_id=student.pk, by_id=teacher.pk)
    room_removal_create(meeting=live_meeting, user_id=student.pk, by_id=teacher.pk)
    assert RoomRemoval.objects.count() == 1


def test_room_removal_refuses_the_teacher(live_meeting, teacher):
    with pytest.raises(ValidationError):
        room_removal_create(meeting=live_meeting, user_id=teacher.pk, by_id=teacher.pk)
    assert not RoomRemoval.objects.exists()


def test_room_removal_applies_to_that_meeting_only(live_meeting, enrollment, student, teacher):
    from classmeet.meetings.tests.factories import MeetingFactory

    other = MeetingFactory.create(course=live_meeting.course)
    room_removal_create(meeting=live_meeting, user_id=student.pk, by_id=teacher.pk)
    assert (
        access.rooms.room_entry(user=student, meeting_id=other.pk)[0]
        is access.rooms.RoomEntry.ALLOWED
    )


def test_meeting_end_marks_it_ended_closes_attendance_and_tells_the_room(
    live_meeting, enrollment, student, teacher, room_listener, django_capture_on_commit_callbacks
):
    attendance_open(meeting_id=live_meeting.pk, user_id=student.pk, peer_id="s")
    attendance_open(meeting_id=live_meeting.pk, user_id=teacher.pk, peer_id="t")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_end(meeting=live_meeting, by_id=teacher.pk)
    live_meeting.refresh_from_db()
    assert live_meeting.status == Meeting.Status.ENDED
    assert live_meeting.ended_at is not None
    assert live_meeting.phase() == Meeting.Phase.ENDED
    assert set(Attendance.objects.values_list("closed_by", flat=True)) == {"ended"}
    assert set(Attendance.objects.values_list("left_at", flat=True)) == {live_meeting.ended_at}
    assert room_listener() == {"type": "room.ended", "by_id": teacher.pk}
    assert access.rooms.room_entry(user=student, meeting_id=live_meeting.pk)[0] is (
        access.rooms.RoomEntry.NOT_OPEN
    )


def test_meeting_end_twice_keeps_the_first_end_time(live_meeting, teacher):
    meeting_end(meeting=live_meeting, by_id=teacher.pk)
    live_meeting.refresh_from_db()
    first = live_meeting.ended_at
    meeting_end(meeting=live_meeting, by_id=teacher.pk)
    live_meeting.refresh_from_db()
    assert live_meeting.ended_at == first


def test_meeting_end_refuses_a_cancelled_meeting(live_meeting, teacher):
    live_meeting.status = Meeting.Status.CANCELLED
    live_meeting.save()
    with pytest.raises(ValidationError):
        meeting_end(meeting=live_meeting, by_id=teacher.pk)
    live_meeting.refresh_from_db()
    assert live_meeting.status == Meeting.Status.CANCELLED
