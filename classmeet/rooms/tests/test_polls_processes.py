"""A poll across two real ASGI processes on Redis: answers taken by either process are counted
once, the teacher sees live results, and the poll still closes on time when the process that
opened it (and runs its timer) dies."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal
from typing import Any

import pytest
from channels.db import database_sync_to_async

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.models import Grade, LivePoll
from classmeet.rooms.tests.test_redis_processes import Client, connect, start_server

__all__ = ["start_server"]  # the fixture of the signaling test

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.slow]


async def frame_of(client: Client, type_: str, timeout: float = 10) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(client.ws.recv(), timeout))
        if frame["type"] == type_:
            return frame


async def test_a_poll_survives_the_death_of_the_process_that_opened_it(
    start_server, teacher, student, enrollment, course, live_meeting
):
    one, two = start_server(), start_server()
    third = await database_sync_to_async(
        lambda: EnrollmentFactory.create(course=course, student=StudentFactory.create()).student
    )()
    t = await connect(one, teacher, live_meeting.pk)
    s = await connect(two, student, live_meeting.pk)
    u = await connect(two, third, live_meeting.pk)
    await t.send(
        {
            "type": "poll-open",
            "question": "2 + 2?",
            "options": ["3", "4", "5"],
            "correct": [1],
            "seconds": 5,
        }
    )
    poll = await frame_of(t, "poll")
    opened = time.monotonic()
    assert (await frame_of(s, "poll"))["pollId"] == poll["pollId"]
    await frame_of(u, "poll")
    for client, choice in ((s, 0), (s, 1), (u, 0)):
        await client.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": choice})
        await frame_of(client, "poll-answered")
    while True:  # live results from process two reach the teacher on process one
        live = await frame_of(t, "poll-results")
        if live["answered"] == 2 and live["counts"] == [1, 1, 0]:
            break
    assert live["present"] == 2

    one.kill()  # the timer's process
    await asyncio.sleep(max(0.0, 5.2 - (time.monotonic() - opened)))
    await u.send({"type": "poll-answer", "pollId": poll["pollId"], "choice": 1})
    assert (await frame_of(u, "error"))["code"] == "poll-not-open"
    for client in (s, u):
        final = await frame_of(client, "poll-results")
        assert (final["final"], final["correct"], final["counts"]) == (True, [1], [1, 1, 0])

    stored = await database_sync_to_async(LivePoll.objects.get)()
    assert (stored.answered, stored.closed_at is not None) == (2, True)
    grades = await database_sync_to_async(
        lambda: dict(Grade.objects.values_list("student_id", "points"))
    )()
    assert grades == {student.pk: Decimal(1), third.pk: Decimal(0)}
    for client in (s, u):
        await client.ws.close()
