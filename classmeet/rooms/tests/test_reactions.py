"""Reactions on the real ASGI app: one of six emoji to everybody, the sender too; refused when
bad, before `join` or over the socket's reaction bucket (which never closes the socket)."""

import json
from typing import Any

import pytest

from classmeet.meetings.models import ChatMessage
from classmeet.rooms import classroom, protocol
from classmeet.rooms.tests.conftest import Peer, joined, open_socket
from classmeet.rooms.tests.test_classroom import db, next_frame, next_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_classroom_state(monkeypatch):
    monkeypatch.setattr(classroom, "state", classroom.ClassroomState())


async def frames(peer: Peer, quiet: float = 0.3) -> list[dict[str, Any]]:
    """Every frame that arrives until none has for `quiet` seconds (all types)."""
    got = []
    while not await peer.ws.receive_nothing(timeout=quiet):
        got.append(json.loads(await peer.ws.receive_from()))
    return got


def test_the_six_reactions_are_single_code_points():
    assert protocol.REACTION_EMOJIS == ("👍", "👏", "😂", "😮", "🤔", "🎉")
    assert all(len(emoji) == 1 for emoji in protocol.REACTION_EMOJIS)


async def test_a_reaction_reaches_everybody_the_sender_too(
    live_meeting, enrollment, teacher, student
):
    t = await joined(teacher, live_meeting.pk)
    s = await joined(student, live_meeting.pk)
    await next_of(t, "user-joined")
    await s.send({"type": "reaction", "emoji": "👏"})
    for peer in (t, s):
        frame = await next_of(peer, "reaction")
        assert frame == {"type": "reaction", "peerId": s.peer_id, "emoji": "👏"}
    assert not await db(ChatMessage.objects.exists)
    for peer in (t, s):
        await peer.close()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "reaction", "emoji": "💩"},
        {"type": "reaction", "emoji": "❤️"},
        {"type": "reaction"},
        {"type": "reaction", "emoji": "👍", "peerId": "a" * 32},
    ],
)
async def test_a_bad_reaction_is_refused_and_sent_to_nobody(
    live_meeting, enrollment, teacher, student, frame
):
    t = await joined(teacher, live_meeting.pk)
    s = await joined(student, live_meeting.pk)
    await next_of(t, "user-joined")
    await frames(t)
    await s.send(frame)
    assert (await next_of(s, "error"))["code"] == "bad-message"
    assert not [f for f in await frames(t) if f["type"] == "reaction"]
    for peer in (t, s):
        await peer.close()


async def test_a_reaction_before_join_is_refused(live_meeting, enrollment, student):
    s, connected = await open_socket(student, live_meeting.pk)
    assert connected
    await s.send({"type": "reaction", "emoji": "👍"})
    assert (await next_of(s, "error"))["code"] == "not-joined"
    await s.close()


async def test_reactions_over_the_bucket_are_rate_limited_without_closing(
    live_meeting, enrollment, teacher, student, settings
):
    settings.CLASSMEET_REACTION_BURST = 3
    settings.CLASSMEET_REACTION_RATE_PER_SECOND = 0.01
    t = await joined(teacher, live_meeting.pk)
    s = await joined(student, live_meeting.pk)
    await next_of(t, "user-joined")
    for _ in range(5):
        await s.send({"type": "reaction", "emoji": "🎉"})
    got: list[dict[str, Any]] = []
    while len(got) < 5:
        frame = await next_frame(s)
        if frame["type"] in ("reaction", "error"):
            got.append(frame)
    # Refused ones are answered at once; accepted ones come back through the room's group.
    assert sorted(f.get("code", f["type"]) for f in got) == [
        "rate-limited",
        "rate-limited",
        "reaction",
        "reaction",
        "reaction",
    ]
    for _ in range(3):
        assert (await next_of(t, "reaction"))["peerId"] == s.peer_id
    assert not [f for f in await frames(t) + await frames(s) if f["type"] == "reaction"]
    # The bucket is the socket's own: the teacher still reacts, the student's socket is open.
    await t.send({"type": "reaction", "emoji": "👍"})
    assert (await next_of(s, "reaction"))["peerId"] == t.peer_id
    await s.send({"type": "ping"})
    assert (await next_of(s, "pong"))["type"] == "pong"
    for peer in (t, s):
        await peer.close()
