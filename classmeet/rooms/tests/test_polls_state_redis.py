"""A room's open poll and its answers live in Redis with the Redis layer: every ASGI process
sees the same poll, one answer per student whichever process takes it, one close."""

import asyncio

import pytest

from classmeet.rooms import presence
from classmeet.rooms.polls import PollState

pytestmark = pytest.mark.redis

POLL = {
    "id": 41,
    "question": "2 + 2?",
    "options": ["3", "4"],
    "multiple": False,
    "correct": [1],
    "anonymous": False,
    "closes": 0.0,
    "staff": [1],
    "salt": "s",
}


async def test_two_processes_share_one_poll_and_count_each_student_once(redis_layer):
    assert isinstance(presence.get_store(), presence.RedisPresenceStore)
    here, there = PollState(), PollState()  # one per ASGI process
    assert await here.claim(7) is True
    assert await there.claim(7) is False  # one poll per room, whoever asks
    assert await there.current(7) is None  # claimed, not yet published
    await here.publish(7, POLL)
    assert await there.current(7) == POLL
    assert await here.answer(7, POLL, "5", [0], 100.0) == 1
    assert await there.answer(7, POLL, "5", [1], 101.0) == 1  # replaces, from elsewhere
    assert await there.answer(7, POLL, "6", [1], 101.0) == 1
    assert await here.answers(7, 41) == {"5": [1], "6": [1]}
    assert await here.answer_of(7, 41, "5") == [1]
    assert await there.answer(7, {**POLL, "id": 40}, "5", [0], 101.0) == 0  # not this poll
    # Closing from both at once: one gets the answers, the other nothing.
    taken = await asyncio.gather(here.take(7, 41), there.take(7, 41))
    winners = [t for t in taken if t is not None]
    assert len(winners) == 1
    assert winners[0] == (POLL, {"5": [1], "6": [1]})
    assert await here.answer(7, POLL, "7", [0], 102.0) == 0  # closed: nothing is kept
    assert await there.current(7) is None
    assert await there.claim(7) is True  # the room may open its next poll


async def test_an_answer_past_the_close_time_is_refused(redis_layer):
    state = PollState()
    poll = {**POLL, "closes": 1000.0}
    assert await state.claim(8)
    await state.publish(8, poll)
    assert await state.answer(8, poll, "5", [1], 999.0) == 1
    assert await state.answer(8, poll, "5", [0], 1000.0) == -1
    assert await state.answers(8, 41) == {"5": [1]}


async def test_one_results_window_per_room_across_processes(redis_layer):
    here, there = PollState(), PollState()
    assert await here.claim_flush(9) is True
    assert await there.claim_flush(9) is False
    assert await here.claim_flush(10) is True  # rooms are separate
    await asyncio.sleep(0.3)
    assert await there.claim_flush(9) is True  # the next window


async def test_a_failed_open_gives_the_slot_back(redis_layer):
    state = PollState()
    assert await state.claim(11)
    await state.release(11)
    assert await state.claim(11)
    await state.publish(11, POLL)
    await state.release(11)  # a published poll is not a failed open: it stays
    assert await state.current(11) == POLL


async def test_the_in_process_state_without_redis():
    presence._stores.clear()
    state = PollState()
    assert await state.claim(1)
    assert not await state.claim(1)
    await state.publish(1, POLL)
    assert await state.answer(1, POLL, "5", [0], 1.0) == 1
    assert await state.answer(1, POLL, "5", [1], 2.0) == 1
    assert await state.take(1, 41) == (POLL, {"5": [1]})
    assert await state.take(1, 41) is None
    assert await state.claim_flush(1)
    assert not await state.claim_flush(1)
    state.end_flush(1)
    assert await state.claim_flush(1)
