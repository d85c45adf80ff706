"""Quizzes and polls in the room (rooms/polls.py) on the real ASGI app: every message and every
refusal, on the in-process state and (the core flow) on Redis."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar, cast

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.services import assistant_add
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.coursework.models import Choice, Grade, LivePoll, LivePollAnswer, Question
from classmeet.rooms import polls
from classmeet.rooms.tests.conftest import Peer, joined
from classmeet.rooms.tests.test_classroom import next_of, room

__all__ = ["room"]  # a fixture shared with the classroom tests (second_student: conftest.py)

pytestmark = pytest.mark.django_db(transaction=True)

_T = TypeVar("_T")


def db(fn: Callable[..., _T], *args: Any, **kwargs: Any) -> Awaitable[_T]:
    return cast(Awaitable[_T], database_sync_to_async(fn)(*args, **kwargs))


@pytest.fixture(autouse=True)
def _fresh_poll_state(monkeypatch):
    monkeypatch.setattr(polls, "state", polls.PollState())
    polls._known.clear()
    yield
    for task in list(polls._tasks):
        task.cancel()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request):
    """The in-process state, or Redis (layer, presence and poll state)."""
    if request.param == "redis":
        request.getfixturevalue("redis_layer")
    return request.param


@pytest.fixture
def assistant(course, teacher):
    user = StudentFactory.create(username="ta", first_name="Tom", last_name="Assist")
    assistant_add(course=course, user=user, added_by=teacher)
    return user


async def error_of(peer: Peer) -> dict[str, Any]:
    return await next_of(peer, "error")


async def no_frame_of(peer: Peer, type_: str, timeout: float = 0.4) -> bool:
    while not await peer.ws.receive_nothing(timeout=timeout):
        frame = json.loads(await peer.ws.receive_from())
        if frame["type"] == type_:
            return False
    return True


QUIZ = {"type": "poll-open", "question": "2 + 2?", "options": ["3", "4", "5"], "correct": [1]}


async def open_poll(teacher_peer: Peer, **fields: Any) -> dict[str, Any]:
    await teacher_peer.send({**QUIZ, **fields})
    return await next_of(teacher_peer, "poll")


def prepared(course, *, kind=Question.Kind.SINGLE, options=("A", "B"), right=(0,), points="3"):
    question = Question.objects.create(
        course=course, kind=kind, text="Which?", points=Decimal(points)
    )
    for index, text in enumerate(options):
        Choice.objects.create(
            question=question, position=index, text=text, is_correct=index in right
        )
    return question


# The core flow (both backends) -----------------------------------------------------------------


async def test_graded_poll_open_answer_results_close(
    backend, room, teacher, student, second_student
):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    s2 = await joined(second_student, room.pk)
    poll = await open_poll(t, seconds=60)
    for peer in (s, s2):
        assert await next_of(peer, "poll") == poll
    assert poll["question"] == "2 + 2?"
    assert poll["options"] == ["3", "4", "5"]
    assert poll["multiple"] is False
    assert poll["closesAt"] is not None
    assert 55 < poll["secondsLeft"] <= 60
    assert "correct" not in poll
    poll_id = poll["pollId"]

    await s.send({"type": "poll-answer", "pollId": poll_id, "choice": 0})
    assert await next_of(s, "poll-answered") == {
        "type": "poll-answered",
        "pollId": poll_id,
        "choice": [0],
    }
    # A second answer replaces the first: counted once.
    await s.send({"type": "poll-answer", "pollId": poll_id, "choice": 1})
    await next_of(s, "poll-answered")
    await s2.send({"type": "poll-answer", "pollId": poll_id, "choice": 2})
    await next_of(s2, "poll-answered")
    for _ in range(10):
        live = await next_of(t, "poll-results")
        if live["answered"] == 2:
            break
    assert live == {
        "type": "poll-results",
        "pollId": poll_id,
        "counts": [0, 1, 1],
        "answered": 2,
        "present": 2,
        "final": False,
        "correct": None,
    }
    # Students never get live results.
    assert await no_frame_of(s, "poll-results", 0.4)

    await t.send({"type": "poll-close", "pollId": poll_id})
    for peer in (t, s, s2):
        final = await next_of(peer, "poll-results")
        assert final["final"] is True
        assert final["correct"] == [1]
        assert final["counts"] == [0, 1, 1]
    await s.send({"type": "poll-answer", "pollId": poll_id, "choice": 1})
    assert (await error_of(s))["code"] == "poll-not-open"
    await t.send({"type": "poll-close", "pollId": poll_id})
    assert (await error_of(t))["code"] == "poll-not-open"

    stored = await db(LivePoll.objects.get)
    assert stored.closed_at is not None
    assert (stored.counts, stored.answered, stored.present) == ([0, 1, 1], 2, 2)
    assert stored.grade_item is not None
    grades = await db(lambda: {g.student_id: g for g in Grade.objects.all()})
    assert grades[student.pk].points == Decimal(1)
    assert grades[second_student.pk].points == Decimal(0)
    for peer in (t, s, s2):
        await peer.close()


async def test_the_timer_closes_the_poll(backend, room, teacher, student, monkeypatch):
    async def soon(at: float) -> None:
        await asyncio.sleep(0.2)  # five seconds is the shortest poll: do not wait for it

    monkeypatch.setattr(polls, "_sleep_until", soon)
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    poll = await open_poll(t, seconds=5)
    await next_of(s, "poll")
    for peer in (t, s):
        final = await next_of(peer, "poll-results")
        assert (final["pollId"], final["final"], final["correct"]) == (poll["pollId"], True, [1])
    assert await polls.state.current(room.pk) is None
    assert (await db(LivePoll.objects.get)).closed_at is not None
    await t.close()
    await s.close()


async def test_closing_races_close_once(backend, room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    poll = await open_poll(t)
    await s.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": 1})
    await next_of(s, "poll-answered")
    # The button and the timer (or two processes) at once: one of them closes it.
    closed = await asyncio.gather(*(polls.close_poll(room.pk, poll["pollId"]) for _ in range(3)))
    assert sorted(closed) == [False, False, True]
    final = await next_of(s, "poll-results")
    assert final["counts"] == [0, 1, 0]
    assert await no_frame_of(s, "poll-results")
    assert await db(LivePollAnswer.objects.count) == 1
    assert await db(Grade.objects.count) == 1
    await t.close()
    await s.close()


async def test_a_late_joiner_gets_the_open_poll_and_its_own_answer(backend, room, teacher, student):
    t = await joined(teacher, room.pk)
    poll = await open_poll(t, anonymous=False)
    s = await joined(student, room.pk)
    state = await next_of(s, "room-state")
    assert state["poll"]["pollId"] == poll["pollId"]
    assert state["poll"]["answer"] is None
    assert state["pollResults"] is None
    await s.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": 2})
    await next_of(s, "poll-answered")
    await s.close()
    again = await joined(student, room.pk)
    assert (await next_of(again, "room-state"))["poll"]["answer"] == [2]
    staff = await joined(teacher, room.pk)
    staff_state = await next_of(staff, "room-state")
    assert staff_state["pollResults"]["counts"] == [0, 0, 1]
    assert staff_state["pollResults"]["answered"] == 1
    for peer in (t, again, staff):
        await peer.close()


# Refusals ------------------------------------------------------------------------------------


async def test_students_cannot_open_or_close(room, teacher, student):
    s = await joined(student, room.pk)
    await s.send(QUIZ)
    assert (await error_of(s))["code"] == "forbidden"
    t = await joined(teacher, room.pk)
    poll = await open_poll(t)
    await s.send({"type": "poll-close", "pollId": poll["pollId"]})
    assert (await error_of(s))["code"] == "forbidden"
    await t.close()
    await s.close()


async def test_poll_messages_before_join_are_refused(room, student):
    from classmeet.rooms.tests.conftest import open_socket

    peer, _connected = await open_socket(student, room.pk)
    for frame in (QUIZ, {"type": "poll-answer", "pollId": 1, "choice": 0}):
        await peer.send(frame)
        assert (await error_of(peer))["code"] == "not-joined"
    await peer.close()


async def test_one_poll_at_a_time(room, teacher):
    t = await joined(teacher, room.pk)
    await open_poll(t)
    await t.send(QUIZ)
    assert (await error_of(t))["code"] == "poll-already-open"
    assert await db(LivePoll.objects.count) == 1
    await t.close()


@pytest.mark.parametrize(
    "fields",
    [
        {"options": ["only one"]},
        {"options": [str(i) for i in range(11)]},
        {"options": ["a", "  "]},
        {"options": ["a", "b" * 201]},
        {"question": ""},
        {"question": "q" * 501},
        {"correct": [3]},
        {"correct": [0, 1]},
        {"correct": [0, 0], "multiple": True},
        {"seconds": 4},
        {"seconds": 3601},
        {"questionId": 5},
        {"extra": 1},
    ],
)
async def test_a_malformed_poll_open_is_a_bad_message(room, teacher, fields):
    t = await joined(teacher, room.pk)
    await t.send({**QUIZ, **fields})
    assert (await error_of(t))["code"] == "bad-message"
    await t.close()


async def test_staff_cannot_answer(room, teacher, assistant):
    t = await joined(teacher, room.pk)
    a = await joined(assistant, room.pk)
    poll = await open_poll(t)
    for peer in (t, a):
        await peer.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": 1})
        assert (await error_of(peer))["code"] == "poll-staff-answer"
    await t.close()
    await a.close()


async def test_the_assistant_runs_a_poll_and_sees_live_results(room, assistant, student):
    a = await joined(assistant, room.pk)
    s = await joined(student, room.pk)
    poll = await open_poll(a)
    await s.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": 1})
    assert (await next_of(a, "poll-results"))["counts"] == [0, 1, 0]
    await a.close()
    await s.close()


@pytest.mark.parametrize(
    ("multiple", "choice"),
    [
        (False, 3),
        (False, -1),
        (False, [1]),
        (True, 1),
        (True, []),
        (True, [0, 0]),
        (True, [0, 9]),
    ],
)
async def test_a_choice_that_does_not_fit_is_refused(room, teacher, student, multiple, choice):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    poll = await open_poll(t, multiple=multiple, correct=None)
    await s.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": choice})
    assert (await error_of(s))["code"] == "poll-bad-choice"
    await t.close()
    await s.close()


@pytest.mark.parametrize("choice", ["1", True, 1.5, {"a": 1}])
async def test_a_choice_of_the_wrong_type_is_a_bad_message(room, teacher, student, choice):
    s = await joined(student, room.pk)
    await s.send({"type": "poll-answer", "pollId": 1, "choice": choice})
    assert (await error_of(s))["code"] == "bad-message"
    await s.close()


async def test_an_unknown_or_other_rooms_poll_is_not_open(room, course, teacher, student):
    from classmeet.meetings.tests.factories import MeetingFactory

    other = await db(MeetingFactory.create, course=course)
    t_other = await joined(teacher, other.pk)
    elsewhere = await open_poll(t_other)
    s = await joined(student, room.pk)
    for poll_id in (elsewhere["pollId"], 999_999):
        await s.send({"type": "poll-answer", "pollId": poll_id, "choice": 0})
        assert (await error_of(s))["code"] == "poll-not-open"
    t = await joined(teacher, room.pk)
    await t.send({"type": "poll-close", "pollId": elsewhere["pollId"]})
    assert (await error_of(t))["code"] == "poll-not-open"
    for peer in (t, t_other, s):
        await peer.close()


async def test_an_answer_past_closes_at_closes_the_poll(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    poll = await open_poll(t, seconds=60)
    current = polls.state._polls[room.pk]
    assert current is not None
    current["closes"] = 1.0  # long past; the timer's process is gone
    for task in list(polls._tasks):
        task.cancel()
    await s.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": 1})
    assert (await error_of(s))["code"] == "poll-not-open"
    final = await next_of(s, "poll-results")
    assert final["final"] is True
    assert (await db(LivePoll.objects.get)).closed_at is not None
    await t.close()
    await s.close()


# Prepared questions ----------------------------------------------------------------------------


async def test_a_prepared_question_opens_with_its_options_and_points(
    room, course, teacher, student
):
    question = await db(prepared, course, kind=Question.Kind.MULTIPLE, right=(0, 1))
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    poll = await open_poll(t, question=None, options=None, correct=None, questionId=question.pk)
    assert (poll["question"], poll["options"], poll["multiple"]) == ("Which?", ["A", "B"], True)
    await s.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": [0, 1]})
    await next_of(s, "poll-answered")
    await t.send({"type": "poll-close", "pollId": poll["pollId"]})
    assert (await next_of(s, "poll-results"))["correct"] == [0, 1]
    grade = await db(Grade.objects.select_related("item").get, student=student)
    assert (grade.points, grade.item.max_points) == (Decimal(3), Decimal(3))
    stored = await db(LivePoll.objects.get)
    assert stored.source_question_id == question.pk
    await t.close()
    await s.close()


async def test_a_question_that_cannot_be_launched_is_refused(room, course, teacher):
    numeric = await db(
        Question.objects.create, course=course, kind=Question.Kind.NUMERIC, text="How many?"
    )
    other_course = await db(CourseFactory.create, teacher=teacher)
    foreign = await db(prepared, other_course)
    lonely = await db(prepared, course, options=("A",))
    t = await joined(teacher, room.pk)
    for question_id in (numeric.pk, foreign.pk, lonely.pk, 999_999):
        await t.send({"type": "poll-open", "questionId": question_id})
        error = await error_of(t)
        assert error["code"] == "poll-bad-question"
        assert error["detail"] == [str(question_id)]
    await t.close()


# Anonymous polls and live results -------------------------------------------------------------


async def test_an_anonymous_poll_stores_no_user_and_is_not_graded(backend, room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    poll = await open_poll(t, anonymous=True)
    assert poll["anonymous"] is True
    await s.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": 1})
    await next_of(s, "poll-answered")
    await s.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": 2})
    await next_of(s, "poll-answered")
    await t.send({"type": "poll-close", "pollId": poll["pollId"]})
    final = await next_of(s, "poll-results")
    assert (final["counts"], final["answered"]) == ([0, 0, 1], 1)
    answers = await db(lambda: list(LivePollAnswer.objects.all()))
    assert [(a.student_id, a.choice) for a in answers] == [(None, [2])]
    assert await db(Grade.objects.count) == 0
    assert (await db(LivePoll.objects.get)).grade_item_id is None
    await t.close()
    await s.close()


async def test_live_results_are_coalesced(room, course, teacher):
    students = await db(lambda: [StudentFactory.create(username=f"s{i}") for i in range(8)])
    for one in students:
        await db(EnrollmentFactory.create, course=course, student=one)
    t = await joined(teacher, room.pk)
    peers = [await joined(one, room.pk) for one in students]
    poll = await open_poll(t)
    for peer in peers:
        await peer.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": 0})
    for peer in peers:
        await next_of(peer, "poll-answered")
    loop = asyncio.get_running_loop()
    start, seen = loop.time(), []
    while loop.time() - start < 0.8:
        if await t.ws.receive_nothing(timeout=0.05):
            continue
        frame = json.loads(await t.ws.receive_from())
        if frame["type"] == "poll-results":
            seen.append(frame)
    assert 1 <= len(seen) <= 4
    assert seen[-1]["answered"] == 8
    assert seen[-1]["present"] == 8
    for peer in [t, *peers]:
        await peer.close()


async def test_a_staff_socket_leaves_the_staff_group_on_disconnect(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    await next_of(t, "room-state")
    assert await polls.state.current(room.pk) is None
    layer = get_channel_layer()
    group = polls.staff_group_name(room.pk)
    assert len(layer.groups.get(group, {})) == 1
    await t.close()
    await asyncio.sleep(0.05)
    assert len(layer.groups.get(group, {})) == 0
    await s.close()


async def test_ending_the_meeting_closes_the_open_poll(room, teacher, student):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    poll = await open_poll(t)
    await s.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": 1})
    await next_of(s, "poll-answered")
    await t.send({"type": "end-meeting"})
    final = await next_of(s, "poll-results")
    assert (final["final"], final["counts"]) == (True, [0, 1, 0])
    await next_of(s, "meeting-ended")
    stored = await db(LivePoll.objects.get)
    assert stored.closed_at is not None
    assert stored.answered == 1
    await t.close()
    await s.close()
