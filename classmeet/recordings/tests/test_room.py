"""The room side of recordings, on the real ASGI app: a joiner is told the class is being
recorded; the recording teacher leaving stops the recording and the room is told."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async

from classmeet.recordings.models import Recording
from classmeet.recordings.tests.conftest import make_recording
from classmeet.rooms import presence
from classmeet.rooms.tests.conftest import joined

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_presence():
    presence._stores.clear()
    yield
    presence._stores.clear()


async def next_of(peer: Any, type_: str, timeout: float = 3) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await peer.ws.receive_from(timeout=timeout))
        if frame["type"] == type_:
            return frame


async def test_joiner_is_told_and_teacher_leaving_stops_the_recording(
    live_meeting, teacher, student, enrollment, recordings_root
):
    recording = await database_sync_to_async(make_recording)(live_meeting, teacher)
    t = await joined(teacher, live_meeting.pk)
    s = await joined(student, live_meeting.pk)
    told = await next_of(s, "recording")
    assert told["active"] is True
    assert told["recordingId"] == recording.pk
    assert told["byName"] == "Tina Teach"
    assert "being recorded" in told["message"]
    await t.send({"type": "leave"})
    stopped = await next_of(s, "recording")
    assert stopped["active"] is False
    assert stopped["recordingId"] == recording.pk
    assert "teacher left" in stopped["message"]
    row = await database_sync_to_async(Recording.objects.get)(pk=recording.pk)
    assert row.status != Recording.Status.RECORDING
    assert row.stopped_at is not None
    await s.close()


async def test_nobody_is_told_when_nothing_is_recorded(live_meeting, student, enrollment):
    s = await joined(student, live_meeting.pk)
    types: list[str] = []
    while "room-state" not in types:  # the join's frames (slow under load), then half a second
        types.append(json.loads(await s.ws.receive_from(timeout=10))["type"])
    while not await s.ws.receive_nothing(timeout=0.5):
        types.append(json.loads(await s.ws.receive_from())["type"])
    assert "recording" not in types
    await s.close()
