"""Helpers for room tests: WebSocket clients on the real ASGI app, signed in by session cookie."""

from __future__ import annotations

import json
import socket
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from classmeet.rooms import presence

ORIGIN = (b"origin", b"http://127.0.0.1")
# The call frames (signaling). The classroom layer (chat, hands, controls) sends more kinds,
# which these tests skip: they are about signaling.
CORE_TYPES = {
    "welcome",
    "user-joined",
    "user-left",
    "offer",
    "answer",
    "ice-candidate",
    "error",
    "pong",
}


def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Peer:
    """A WebsocketCommunicator with JSON helpers."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.ws = communicator
        self.peer_id = ""
        self.welcome: dict[str, Any] = {}

    async def send(self, frame: dict[str, Any] | str) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self.ws.send_to(text_data=text)

    async def recv(self, timeout: float = 2) -> dict[str, Any]:
        """Receive the next signaling frame."""
        while True:
            frame: dict[str, Any] = json.loads(await self.ws.receive_from(timeout=timeout))
            if frame.get("type") in CORE_TYPES:
                return frame

    async def recv_type(self, type_: str, timeout: float = 2) -> dict[str, Any]:
        """Receive frames until one of that type (skipping e.g. user-joined of others)."""
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == type_:
                return frame

    async def join(self, **extra: Any) -> dict[str, Any]:
        await self.send({"type": "join", **extra})
        self.welcome = await self.recv_type("welcome")
        self.peer_id = self.welcome["peerId"]
        return self.welcome

    async def nothing(self, timeout: float = 0.2) -> bool:
        """True if no signaling frame arrives within the timeout (other kinds are skipped).

        Uses receive_nothing: a timed-out receive_from would cancel the application.
        """
        while True:
            if await self.ws.receive_nothing(timeout=timeout):
                return True
            frame: dict[str, Any] = json.loads(await self.ws.receive_from())
            if frame.get("type") in CORE_TYPES:
                return False

    async def drain(self) -> None:
        while not await self.ws.receive_nothing(timeout=0.05):
            await self.ws.receive_from()

    async def closed_with(self, timeout: float = 2) -> int | None:
        """Skip frames until the socket closes; return the close code."""
        while True:
            output = await self.ws.receive_output(timeout=timeout)
            if output["type"] == "websocket.close":
                code: int | None = output.get("code")
                return code

    async def close(self) -> None:
        await self.ws.disconnect()


async def open_socket(
    user: Any | None,
    meeting_id: int,
    *,
    headers: list[tuple[bytes, bytes]] | None = None,
    query: str = "",
) -> tuple[Peer, bool]:
    from config.asgi import application

    hdrs = [ORIGIN] if headers is None else list(headers)
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        hdrs.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    path = f"/ws/meeting/{meeting_id}/" + (f"?{query}" if query else "")
    communicator = WebsocketCommunicator(application, path, headers=hdrs)
    connected, _ = await communicator.connect(timeout=5)
    return Peer(communicator), connected


async def joined(user: Any, meeting_id: int, **extra: Any) -> Peer:
    peer, connected = await open_socket(user, meeting_id)
    assert connected
    await peer.join(**extra)
    return peer


@pytest.fixture
def second_student(course: Any) -> Any:
    """Another student of the course (Sue Second)."""
    from classmeet.accounts.tests.factories import StudentFactory
    from classmeet.courses.tests.factories import EnrollmentFactory

    other = StudentFactory.create(username="second", first_name="Sue", last_name="Second")
    EnrollmentFactory.create(course=course, student=other)
    return other


@pytest.fixture(autouse=True)
def _fresh_presence():
    """Each test starts with an empty in-process room registry."""
    presence._stores.clear()
    yield
    presence._stores.clear()


@pytest.fixture
def redis_layer(settings: Any, redis_url: str) -> Any:
    """The Redis channel layer (and the presence store next to it) on a prefix of its own."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": f"test-{uuid.uuid4().hex[:8]}"},
        }
    }
    presence._stores.clear()
    yield
    presence._stores.clear()


def dead_redis_url() -> str:
    """A Redis URL on a loopback port where nothing listens any more."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"
