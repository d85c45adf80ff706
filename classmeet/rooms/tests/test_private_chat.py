"""Private chat on the real ASGI app: `chat` with `to` reaches the recipient's sockets and the
sender's, nobody else; students write privately to staff only (assistants count); refusals;
each viewer's chat history; also on Redis."""

import json
from typing import Any

import pytest

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.services import assistant_add
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.meetings.models import ChatMessage
from classmeet.meetings.tests.factories import ChatMessageFactory
from classmeet.rooms import classroom, presence
from classmeet.rooms.tests.conftest import Peer, joined
from classmeet.rooms.tests.test_classroom import db, next_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_classroom_state(monkeypatch):
    monkeypatch.setattr(classroom, "state", classroom.ClassroomState())


@pytest.fixture
def second_student(course):
    other = StudentFactory.create(username="second", first_name="Sue", last_name="Second")
    EnrollmentFactory.create(course=course, student=other)
    return other


@pytest.fixture
def assistant(course, teacher):
    user = StudentFactory.create(username="ta", first_name="Tom", last_name="Assist")
    assistant_add(course=course, user=user, added_by=teacher)
    return user


async def chat_lines(peer: Peer, quiet: float = 0.3) -> list[dict[str, Any]]:
    """The `chat` frames that arrive until none of any type has for `quiet` seconds."""
    got = []
    while not await peer.ws.receive_nothing(timeout=quiet):
        frame = json.loads(await peer.ws.receive_from())
        if frame["type"] == "chat":
            got.append(frame)
    return got


async def settle(*peers: Peer) -> None:
    """Read every pending frame (joins, room-state) so later reads start clean."""
    for peer in peers:
        await chat_lines(peer, quiet=0.15)


async def check_private_delivery(teacher: Any, student: Any, second_student: Any, meeting: Any):
    """A student's private question reaches the teacher and the student, not a third student."""
    t = await joined(teacher, meeting.pk)
    s = await joined(student, meeting.pk)
    other = await joined(second_student, meeting.pk)
    await settle(t, s, other)
    await s.send({"type": "chat", "text": "may I ask?", "to": t.peer_id})
    for peer in (t, s):
        line = await next_of(peer, "chat")
        assert (line["text"], line["fromUserId"]) == ("may I ask?", student.pk)
        assert (line["toUserId"], line["toName"]) == (teacher.pk, "Tina Teach")
    assert await chat_lines(other) == []
    assert await chat_lines(t) == []
    stored = await db(ChatMessage.objects.get)
    assert (stored.author_id, stored.recipient_id) == (student.pk, teacher.pk)
    for peer in (t, s, other):
        await peer.close()


async def test_a_private_question_reaches_the_teacher_and_not_another_student(
    live_meeting, enrollment, teacher, student, second_student
):
    await check_private_delivery(teacher, student, second_student, live_meeting)


@pytest.mark.redis
async def test_a_private_question_reaches_the_teacher_only_on_redis(
    redis_layer, live_meeting, enrollment, teacher, student, second_student
):
    """The same with the Redis channel layer and presence in Redis (channels of every process)."""
    assert isinstance(presence.get_store(), presence.RedisPresenceStore)
    await check_private_delivery(teacher, student, second_student, live_meeting)


async def test_a_public_line_carries_no_recipient(live_meeting, enrollment, student):
    s = await joined(student, live_meeting.pk)
    await s.send({"type": "chat", "text": "hello"})
    line = await next_of(s, "chat")
    assert (line["toUserId"], line["toName"]) == (None, "")
    await s.close()


async def test_every_tab_of_the_sender_and_the_recipient_gets_the_line(
    live_meeting, enrollment, teacher, student, second_student
):
    t1 = await joined(teacher, live_meeting.pk)
    t2 = await joined(teacher, live_meeting.pk)
    s1 = await joined(student, live_meeting.pk)
    s2 = await joined(student, live_meeting.pk)
    other = await joined(second_student, live_meeting.pk)
    await settle(t1, t2, s1, s2, other)
    await t2.send({"type": "chat", "text": "see me after class", "to": s1.peer_id})
    for peer in (t1, t2, s1, s2):
        assert (await next_of(peer, "chat"))["text"] == "see me after class"
    for peer in (t1, t2, s1, s2, other):
        assert await chat_lines(peer) == []  # once each, and never to the third user
    for peer in (t1, t2, s1, s2, other):
        await peer.close()


async def test_students_write_privately_to_assistants_but_not_to_students(
    live_meeting, enrollment, teacher, student, second_student, assistant
):
    a = await joined(assistant, live_meeting.pk)
    s = await joined(student, live_meeting.pk)
    other = await joined(second_student, live_meeting.pk)
    await settle(a, s, other)
    await s.send({"type": "chat", "text": "psst", "to": other.peer_id})
    error = await next_of(s, "error")
    assert error["code"] == "forbidden"
    assert await chat_lines(other) == []
    assert not await db(ChatMessage.objects.exists)
    await s.send({"type": "chat", "text": "a question", "to": a.peer_id})
    assert (await next_of(a, "chat"))["toUserId"] == assistant.pk
    # An assistant writes privately to any student.
    await a.send({"type": "chat", "text": "an answer", "to": other.peer_id})
    assert (await next_of(other, "chat"))["fromUserId"] == assistant.pk
    for peer in (a, s, other):
        await peer.close()


async def test_an_assistant_added_after_the_student_joined_receives_private_questions(
    live_meeting, enrollment, teacher, student
):
    s = await joined(student, live_meeting.pk)
    assert (await next_of(s, "room-state"))["staffUserIds"] == [teacher.pk]
    late = await db(StudentFactory.create, username="late", first_name="Lee", last_name="Late")
    await db(assistant_add, course=live_meeting.course, user=late, added_by=teacher)
    helper = await joined(late, live_meeting.pk)
    await settle(s, helper)
    await s.send({"type": "chat", "text": "now you help", "to": helper.peer_id})
    assert (await next_of(helper, "chat"))["text"] == "now you help"
    for peer in (s, helper):
        await peer.close()


async def test_private_lines_to_oneself_or_to_nobody_are_refused(
    live_meeting, enrollment, teacher, student
):
    t = await joined(teacher, live_meeting.pk)
    tab1 = await joined(student, live_meeting.pk)
    tab2 = await joined(student, live_meeting.pk)
    await settle(t, tab1, tab2)
    for to, code in (
        (tab1.peer_id, "bad-message"),  # this very socket
        (tab2.peer_id, "bad-message"),  # another tab of the same user
        ("f" * 32, "unknown-peer"),
        ("not-a-peer-id", "bad-message"),
    ):
        await tab1.send({"type": "chat", "text": "hi", "to": to})
        assert (await next_of(tab1, "error"))["code"] == code, to
    gone = t.peer_id
    await t.close()  # dropped: in the reconnect grace, not connected
    await tab1.send({"type": "chat", "text": "hi", "to": gone})
    error = await next_of(tab1, "error")
    assert (error["code"], error["detail"]) == ("unknown-peer", [gone])
    assert not await db(ChatMessage.objects.exists)
    assert await chat_lines(tab2) == []
    for peer in (tab1, tab2):
        await peer.close()


async def test_the_history_shows_each_viewer_the_public_lines_and_its_own_private_ones(
    live_meeting, enrollment, teacher, student, second_student, assistant
):
    await db(ChatMessageFactory.create, meeting=live_meeting, author=teacher, text="welcome")
    await db(
        ChatMessageFactory.create,
        meeting=live_meeting,
        author=student,
        recipient=teacher,
        text="to the teacher",
    )
    await db(
        ChatMessageFactory.create,
        meeting=live_meeting,
        author=assistant,
        recipient=second_student,
        text="to Sue",
    )
    expected = {
        teacher: ["welcome", "to the teacher"],
        student: ["welcome", "to the teacher"],
        second_student: ["welcome", "to Sue"],
        assistant: ["welcome", "to Sue"],  # staff see only the private lines they are part of
    }
    for user, texts in expected.items():
        peer = await joined(user, live_meeting.pk)
        state = await next_of(peer, "room-state")
        assert [line["text"] for line in state["chat"]] == texts, user.username
        assert state["staffUserIds"] == sorted([teacher.pk, assistant.pk])
        private = [line for line in state["chat"] if line["toUserId"] is not None]
        assert all(line["toName"] for line in private)
        await peer.close()
