"""Random frames never make the signaling consumer raise, and never close the socket."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pydantic import ValidationError

from classmeet.rooms import protocol
from classmeet.rooms.tests.conftest import ORIGIN, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

KEYS = ["type", "to", "sdp", "candidate", "resume", "userId", "userName", "from", "x"]
TYPES = [
    "join",
    "offer",
    "answer",
    "ice-candidate",
    "ping",
    "leave",
    "pong",
    "welcome",
    "",
    "OFFER",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
peer_ids = st.from_regex(r"[0-9a-f]{32}", fullmatch=True)
objects = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES) | st.text(max_size=12)},
    optional={
        key: (peer_ids | json_values) if key in ("to", "resume") else json_values
        for key in KEYS[1:]
    },
)
frames = st.one_of(
    objects.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=200).filter(lambda t: bool(t)),
    st.binary(min_size=1, max_size=64),
)


def _leaves(frame: str | bytes) -> bool:
    """A valid `leave` closes the socket on purpose: not what this test is about."""
    try:
        return isinstance(protocol.parse_client_frame(frame), protocol.Leave)
    except ValidationError:
        return False


@pytest.fixture
def cookie(teacher):
    return f"{settings.SESSION_COOKIE_NAME}={session_cookie(teacher)}".encode()


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(frames, min_size=1, max_size=8))
def test_random_frames_never_raise(cookie, live_meeting, batch):
    async def scenario() -> None:
        from config.asgi import application

        ws = WebsocketCommunicator(
            application, f"/ws/meeting/{live_meeting.pk}/", headers=[ORIGIN, (b"cookie", cookie)]
        )
        connected, _ = await ws.connect(timeout=5)
        assert connected
        await ws.send_to(text_data='{"type": "join"}')
        for frame in batch:
            if _leaves(frame):
                continue
            if isinstance(frame, bytes):
                await ws.send_to(bytes_data=frame)
            else:
                await ws.send_to(text_data=frame)
        await ws.send_to(text_data='{"type": "ping"}')
        while True:  # every reply is a well-formed frame, never an internal error
            output = await ws.receive_output(timeout=5)
            assert output["type"] == "websocket.send", output
            reply = json.loads(output["text"])
            assert reply.get("code") != protocol.ErrorCode.INTERNAL, reply
            if reply["type"] == "pong":
                break
        await ws.disconnect()

    async_to_sync(scenario)()
