"""Locks with the SFU, against a real Janus (test_sfu's): a locked student's streams are muted
at Janus with VideoRoom `moderate` when the lock takes effect and when the student (re)publishes,
and unmuted when the student is allowed again. tests/e2e/test_sfu_browser.py proves that Janus
then stops forwarding the stream."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from classmeet.rooms import locks
from classmeet.rooms.sfu import moderation, rooms
from classmeet.rooms.tests import test_sfu
from classmeet.rooms.tests.conftest import joined
from classmeet.rooms.tests.test_sfu import frame_of, offer_sdp

pytestmark = pytest.mark.django_db(transaction=True)

# test_sfu's Janus (one per module), its settings (threshold 3), room and students.
janus = test_sfu.janus
sfu_settings = test_sfu.sfu_settings
room = test_sfu.room
students = test_sfu.students


@pytest.fixture
def moderated(monkeypatch: Any) -> list[tuple[str, bool]]:
    """Every `moderate` Janus accepted: (mid, mute)."""
    accepted: list[tuple[str, bool]] = []
    real = rooms.sfu_moderate
    monkeypatch.setattr(locks, "state", locks.LocksState())

    async def keep(**kwargs: Any) -> None:
        await real(**kwargs)  # raises if Janus refuses
        accepted.append((kwargs["mid"], kwargs["mute"]))

    monkeypatch.setattr(rooms, "sfu_moderate", keep)
    return accepted


async def wait_for(moderated: list[tuple[str, bool]], *expected: tuple[str, bool]) -> None:
    for _ in range(100):
        if list(moderated[-len(expected) :]) == list(expected):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"Janus was told {moderated}, not {expected}")


async def test_janus_mutes_a_locked_students_streams(room, teacher, student, students, moderated):
    t = await joined(teacher, room.pk)
    s = await joined(student, room.pk)
    third = await joined(students[0], room.pk)  # threshold 3: the room moves to Janus
    for peer in (t, s, third):
        assert (await frame_of(peer, "topology"))["mode"] == "sfu"
    await s.send({"type": "sfu-publish", "sdp": offer_sdp()})
    await frame_of(s, "sfu-published")
    assert moderated == []  # nothing locked: Janus is not asked anything

    await t.send({"type": "lock", "mic": True})
    await wait_for(moderated, ("0", True))  # the student's audio stream (mid 0)
    await t.send({"type": "lock-peer", "peerId": s.peer_id, "mic": False})
    await wait_for(moderated, ("0", False))
    # Locked cameras: a student publishing again is muted before anybody subscribes.
    await t.send({"type": "lock", "camera": True})
    await wait_for(moderated, ("1", True))
    await s.send({"type": "sfu-publish", "sdp": offer_sdp()})
    await frame_of(s, "sfu-published")
    await wait_for(moderated, ("1", True), ("1", True))
    # The teacher's own feed is never moderated.
    await t.send({"type": "sfu-publish", "sdp": offer_sdp()})
    await frame_of(t, "sfu-published")
    assert len(moderated) == 4
    for peer in (t, s, third):
        await peer.close()
    await rooms.sfu_room_destroy(meeting_id=room.pk)


def test_the_video_stream_is_muted_for_the_device_it_carries():
    mids = moderation.sdp_mids(offer_sdp())
    assert mids == {"0": "audio", "1": "video"}
    assert moderation.wanted_mutes(mids, {"camera"}, sharing=False) == {"0": False, "1": True}
    assert moderation.wanted_mutes(mids, {"camera"}, sharing=True) == {"0": False, "1": False}
    assert moderation.wanted_mutes(mids, {"mic", "screen"}, sharing=True) == {"0": True, "1": True}
