"""Course assistants in the live room: they run it like the teacher (controls through
access.rooms.can_control_room), and leave it when the owner removes them from the staff."""

from typing import Any

import pytest

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.models import CourseAssistant
from classmeet.courses.services import assistant_add, assistant_remove
from classmeet.meetings.models import Meeting, RoomRemoval
from classmeet.rooms import classroom
from classmeet.rooms.tests.conftest import joined, open_socket
from classmeet.rooms.tests.test_classroom import db, next_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_classroom_state(monkeypatch):
    monkeypatch.setattr(classroom, "state", classroom.ClassroomState())


@pytest.fixture
def assistant(course, teacher) -> Any:
    # A student-role account: the role does not matter, the course's staff list does.
    user = StudentFactory.create(username="ta", first_name="Tom", last_name="Assist")
    assistant_add(course=course, user=user, added_by=teacher)
    return user


async def test_an_assistant_mutes_everyone_and_removes_a_student(
    live_meeting, enrollment, student, teacher, assistant
):
    a = await joined(assistant, live_meeting.pk)
    t = await joined(teacher, live_meeting.pk)
    s = await joined(student, live_meeting.pk)
    await a.send({"type": "mute-all"})
    request = await next_of(s, "mute-request")
    assert request == {"type": "mute-request", "all": True, "byName": "Tom Assist"}
    await a.send({"type": "remove-peer", "peerId": s.peer_id})
    assert await s.closed_with() == 4410
    assert await db(RoomRemoval.objects.filter(user=student, by=assistant).exists)
    for peer in (a, t):
        await peer.close()


async def test_staff_cannot_remove_each_other_and_an_assistant_raises_no_hand(
    live_meeting, teacher, assistant
):
    t = await joined(teacher, live_meeting.pk)
    a = await joined(assistant, live_meeting.pk)
    for sender, target in ((a, t), (t, a)):
        await sender.send({"type": "remove-peer", "peerId": target.peer_id})
        assert (await next_of(sender, "error"))["code"] == "forbidden"
    await a.send({"type": "raise-hand"})
    assert (await next_of(a, "error"))["code"] == "forbidden"
    assert not await db(RoomRemoval.objects.exists)
    for peer in (t, a):
        await peer.close()


async def test_an_assistant_ends_the_meeting(live_meeting, enrollment, student, assistant):
    a = await joined(assistant, live_meeting.pk)
    s = await joined(student, live_meeting.pk)
    await a.send({"type": "end-meeting"})
    assert await s.closed_with() == 4411
    meeting = await db(Meeting.objects.get, pk=live_meeting.pk)
    assert meeting.status == Meeting.Status.ENDED


async def test_removing_an_assistant_closes_their_sockets_and_refuses_them(
    live_meeting, teacher, assistant
):
    a = await joined(assistant, live_meeting.pk)
    row = await db(CourseAssistant.objects.get, user=assistant)
    await db(assistant_remove, assistant=row, removed_by=teacher)
    assert await a.closed_with() == 4410
    again, connected = await open_socket(assistant, live_meeting.pk)
    assert not connected or await again.closed_with() == 4404


async def test_a_student_who_is_not_staff_still_gets_forbidden(
    live_meeting, enrollment, student, assistant
):
    s = await joined(student, live_meeting.pk)
    a = await joined(assistant, live_meeting.pk)
    await s.send({"type": "mute-all"})
    assert (await next_of(s, "error"))["code"] == "forbidden"
    assert await a.nothing()
    await s.close()
    await a.close()
