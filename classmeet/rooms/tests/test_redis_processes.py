"""With the Redis channel layer, separate ASGI server processes serve one room.

Real uvicorn processes (REDIS_URL set, a fresh layer prefix, the test database), real WebSocket
clients signed in by session cookie.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.rooms.tests.conftest import CORE_TYPES, session_cookie
from tests.support import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.slow]

BASE_DIR = Path(settings.BASE_DIR)
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class AsgiProcess:
    """`uvicorn config.asgi:application` in its own process."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.log = open(BASE_DIR / "var" / f"asgi-{self.port}.log", "w+b")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host=127.0.0.1",
                f"--port={self.port}",
                "--ws=websockets-sansio",
                "--lifespan=off",
                "--log-level=warning",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.log.seek(0)
                    raise RuntimeError(
                        f"ASGI server did not start: {self.log.read()[-2000:]!r}"
                    ) from None
                time.sleep(0.1)

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def kill(self) -> None:
        """Die like a crashed server: no disconnect handlers, no cleanup."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def start_server(redis_url: str, transactional_db: None) -> Iterator[Callable[[], AsgiProcess]]:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    prefix = f"test-rooms-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_PREFIX": prefix,
        "CACHE_KEY_PREFIX": prefix,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "CLASSMEET_ROOM_HEARTBEAT_SECONDS": "1",
        "CLASSMEET_ROOM_PRESENCE_TTL_SECONDS": "4",
    }
    servers: list[AsgiProcess] = []

    def start() -> AsgiProcess:
        server = AsgiProcess(env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


class Client:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.peer_id = ""
        self.welcome: dict[str, Any] = {}

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = 5) -> dict[str, Any]:
        """The next signaling frame (the classroom layer's other frames are skipped)."""
        while True:
            frame: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if frame["type"] in CORE_TYPES:
                return frame

    async def recv_type(self, type_: str, timeout: float = 5) -> dict[str, Any]:
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == type_:
                return frame

    async def nothing(self, timeout: float = 0.5) -> bool:
        try:
            await self.recv(timeout)
        except TimeoutError:
            return True
        return False


async def open_client(server: AsgiProcess, user: Any, meeting_id: int) -> Client:
    """A socket of `user` on the room, signed in by cookie, that has not sent `join` yet."""
    from websockets.asyncio.client import connect as ws_connect

    cookie = await database_sync_to_async(session_cookie)(user)
    ws = await ws_connect(
        server.url(f"/ws/meeting/{meeting_id}/"),
        origin=f"http://127.0.0.1:{server.port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
        open_timeout=10,
    )
    return Client(ws)


async def connect(server: AsgiProcess, user: Any, meeting_id: int) -> Client:
    client = await open_client(server, user, meeting_id)
    await client.send({"type": "join"})
    client.welcome = await client.recv_type("welcome")
    client.peer_id = client.welcome["peerId"]
    return client


async def test_two_server_processes_serve_one_room(
    start_server, teacher, student, enrollment, course, live_meeting
):
    one, two = start_server(), start_server()
    third = await database_sync_to_async(
        lambda: EnrollmentFactory.create(course=course, student=StudentFactory.create()).student
    )()

    a = await connect(one, teacher, live_meeting.pk)
    b = await connect(two, student, live_meeting.pk)
    assert [p["peerId"] for p in b.welcome["participants"]] == [a.peer_id]
    assert (await a.recv_type("user-joined"))["peerId"] == b.peer_id
    c = await connect(one, third, live_meeting.pk)
    assert {p["peerId"] for p in c.welcome["participants"]} == {a.peer_id, b.peer_id}
    await a.recv_type("user-joined")
    await b.recv_type("user-joined")

    # Process one → process two, to the target only.
    await a.send({"type": "offer", "to": b.peer_id, "sdp": SDP})
    offer = await b.recv()
    assert (offer["type"], offer["from"], offer["fromUserId"]) == ("offer", a.peer_id, teacher.pk)
    assert await c.nothing()
    # And back.
    await b.send({"type": "answer", "to": a.peer_id, "sdp": SDP})
    answer = await a.recv()
    assert (answer["type"], answer["from"]) == ("answer", b.peer_id)
    candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host", "sdpMid": "0"}
    await b.send({"type": "ice-candidate", "to": c.peer_id, "candidate": candidate})
    assert (await c.recv())["from"] == b.peer_id
    assert await a.nothing()

    # Process two crashes: nobody says goodbye for b, its presence expires by heartbeat.
    two.kill()
    assert await a.recv(timeout=15) == {"type": "user-left", "peerId": b.peer_id}
    assert await c.recv(timeout=5) == {"type": "user-left", "peerId": b.peer_id}
    await a.send({"type": "offer", "to": b.peer_id, "sdp": SDP})
    assert (await a.recv())["code"] == "unknown-peer"
    for client in (a, c):
        await client.ws.close()


@pytest.mark.timeout(400)
async def test_socket_idle_for_two_minutes_on_redis_still_relays(
    start_server, teacher, student, enrollment, live_meeting
):
    server = start_server()
    a = await connect(server, teacher, live_meeting.pk)
    b = await connect(server, student, live_meeting.pk)
    await a.recv_type("user-joined")

    await asyncio.sleep(125)  # no frame either way: no ping, nothing

    await a.send({"type": "offer", "to": b.peer_id, "sdp": SDP})
    offer = await b.recv()
    assert (offer["type"], offer["from"]) == ("offer", a.peer_id)
    await b.send({"type": "answer", "to": a.peer_id, "sdp": SDP})
    assert (await a.recv())["type"] == "answer"
    for client in (a, b):
        await client.ws.close()
