"""The waiting room in a room on the SFU (a real Janus): a waiting socket learns nothing of the
SFU and cannot use it; once admitted it gets `topology` before `welcome` like any late joiner."""

from __future__ import annotations

import json
from typing import Any

import pytest

from classmeet.meetings.models import Meeting
from classmeet.rooms import lobby
from classmeet.rooms.sfu import rooms, topology
from classmeet.rooms.tests.conftest import joined, open_socket
from classmeet.rooms.tests.test_sfu import (  # noqa: F401 (the fixtures)
    frame_of,
    janus,
    offer_sdp,
    sfu_settings,
    students,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_waiting_socket_gets_nothing_of_the_sfu_until_admitted(
    monkeypatch,
    live_meeting,
    enrollment,
    teacher,
    student,
    students: Any,  # noqa: F811
):
    monkeypatch.setattr(lobby, "lobby", lobby.LobbyState())
    room = live_meeting
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    third = await joined(students[0], room.pk)  # threshold 3: the room moves to the SFU
    await frame_of(t, "topology")
    assert await topology.topology_get(meeting_id=room.pk) == topology.SFU
    await Meeting.objects.filter(pk=room.pk).aupdate(waiting_room=True)
    late, _connected = await open_socket(students[1], room.pk)
    await late.send({"type": "join"})
    assert json.loads(await late.ws.receive_from())["type"] == "waiting"  # no `topology` first
    await late.send({"type": "sfu-publish", "sdp": offer_sdp()})
    assert json.loads(await late.ws.receive_from())["code"] == "waiting"
    displays = [p["display"] for p in await rooms.sfu_participants(meeting_id=room.pk)]
    assert not any(str(d).startswith(f"{students[1].pk}:") for d in displays)
    await frame_of(t, "knock")
    await t.send({"type": "admit", "userId": students[1].pk})
    first = json.loads(await late.ws.receive_from(timeout=5))
    assert (first["type"], first["mode"]) == ("topology", "sfu")
    assert json.loads(await late.ws.receive_from(timeout=5))["type"] == "welcome"
    for peer in (late, third, s, t):
        await peer.close()
