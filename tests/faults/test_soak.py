"""Soak: 500 signaling sockets on two uvicorn workers sharing the Redis channel layer, with
join/leave churn, for CLASSMEET_SOAK_SECONDS (60 in the suite; `make soak` runs 600).

50 rooms of 10 sockets: 8 stay all along and send each other an offer every ~4 s, 2 churn (join,
offer every stayer, stay 2-4 s, leave, rest 0.2-1 s, again). At the end:
- 0 lost messages: every offer sent to a present peer arrived, once; every stayer saw the
  `user-joined` and the `user-left` of every churner visit in its room;
- memory flat: each worker's RSS at the end (all 500 connected again) within 20% + 32 MB of its RSS
  after the first join of all 500;
- presence right: once the churners left, Redis lists exactly the 8 stayers of every room; once
  everyone left, nobody.
The figures are printed and written to var/soak-<seconds>s.json (docs/reliability.md "Soak").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis
from channels.db import database_sync_to_async
from django.conf import settings

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.tests.factories import MeetingFactory
from tests.browser import session_cookie_for
from tests.deploy.stack import BASE_DIR, rss_kib

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.slow]

SECONDS = float(os.environ.get("CLASSMEET_SOAK_SECONDS", "60"))
ROOMS = 50
STAYERS = 8
CHURNERS = 2
OFFER_EVERY = 4.0


def sdp(message_id: str) -> str:
    return f"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns={message_id}\r\nt=0 0\r\n"


def message_id_of(frame: dict[str, Any]) -> str:
    text: str = frame["sdp"]
    return text.split("s=")[1].split("\r\n")[0]


@dataclass
class Tally:
    sent: dict[str, str] = field(default_factory=dict)  # message id -> target peer
    sent_at: dict[str, float] = field(default_factory=dict)  # message id -> time.monotonic()
    received: dict[str, int] = field(default_factory=dict)  # message id -> times
    latencies_ms: list[float] = field(default_factory=list)  # offer sent -> received
    errors: list[dict[str, Any]] = field(default_factory=list)
    visits: list[tuple[int, str]] = field(default_factory=list)  # (room, churner peer id)
    joins: int = 0


class Socket:
    """One signaling client: reads every frame in a task, records what the soak checks."""

    def __init__(self, url: str, cookie: str, origin: str, tally: Tally) -> None:
        self.url, self.cookie, self.origin, self.tally = url, cookie, origin, tally
        self.ws: Any = None
        self.peer_id = ""
        self.others: set[str] = set()
        self.joined_seen: set[str] = set()
        self.left_seen: set[str] = set()
        self.welcome: asyncio.Future[dict[str, Any]] | None = None
        self.reader: asyncio.Task[None] | None = None

    async def join(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(
            self.url,
            origin=self.origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.cookie}"},
            open_timeout=60,
            max_queue=None,
            ping_interval=None,  # the soak measures the server, not keepalive under load
        )
        self.welcome = asyncio.get_running_loop().create_future()
        self.reader = asyncio.create_task(self._read())
        await self.ws.send(json.dumps({"type": "join"}))
        welcome = await asyncio.wait_for(self.welcome, 120)
        self.peer_id = welcome["peerId"]
        self.others = {p["peerId"] for p in welcome["participants"]}
        self.tally.joins += 1

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "welcome" and self.welcome is not None:
                    self.welcome.set_result(frame)
                elif kind == "user-joined":
                    self.others.add(frame["peerId"])
                    self.joined_seen.add(frame["peerId"])
                elif kind == "user-left":
                    self.others.discard(frame["peerId"])
                    self.left_seen.add(frame["peerId"])
                elif kind == "offer":
                    key = message_id_of(frame)
                    self.tally.received[key] = self.tally.received.get(key, 0) + 1
                    if key in self.tally.sent_at:
                        at = self.tally.sent_at[key]
                        self.tally.latencies_ms.append((time.monotonic() - at) * 1000)
                elif kind == "error":
                    self.tally.errors.append(frame)

    async def offer(self, to: str) -> None:
        key = uuid.uuid4().hex
        self.tally.sent[key] = to
        self.tally.sent_at[key] = time.monotonic()
        await self.ws.send(json.dumps({"type": "offer", "to": to, "sdp": sdp(key)}))

    async def leave(self) -> None:
        await self.ws.send(json.dumps({"type": "leave"}))
        await asyncio.wait_for(self.ws.wait_closed(), 120)
        if self.reader is not None:
            await self.reader


def _people() -> tuple[list[int], list[str]]:
    """50 live meetings whose courses enroll the same 10 students; their session cookies."""
    students = [StudentFactory.create() for _ in range(STAYERS + CHURNERS)]
    meetings = []
    for _ in range(ROOMS):
        course = CourseFactory.create()
        for student in students:
            EnrollmentFactory.create(course=course, student=student)
        meeting: Any = MeetingFactory.create(course=course)
        meetings.append(meeting.pk)
    return meetings, [session_cookie_for(s)["value"] for s in students]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))], 1) if values else 0.0


async def settle(tally: Tally, *, quiet: float = 10, limit: float = 120) -> float:
    """Wait until every offer arrived, or none arrived for `quiet` seconds; return the wait.

    A late offer is not a lost one: on a loaded machine the last ones may still be queued. One
    that never comes while the others stop arriving is lost.
    """
    started = last_change = time.monotonic()
    seen = -1
    while time.monotonic() - started < limit:
        count = sum(1 for key in tally.sent if key in tally.received)
        if count == len(tally.sent):
            break
        if count != seen:
            seen, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > quiet:
            break
        await asyncio.sleep(0.2)
    return time.monotonic() - started


@pytest.mark.timeout(int(SECONDS) + 600)
async def test_soak_500_sockets_with_churn_on_redis(start_stack, redis_url):
    stack = start_stack(redis_url=redis_url, workers=2, nginx=False)
    meetings, cookies = await database_sync_to_async(_people)()
    tally = Tally()
    rooms: list[tuple[int, list[Socket], list[Socket]]] = []
    for index, meeting_id in enumerate(meetings):
        sockets = []
        for slot in range(STAYERS + CHURNERS):
            worker = stack.workers[(index + slot) % 2]
            sockets.append(
                Socket(
                    f"ws://127.0.0.1:{worker.port}/ws/meeting/{meeting_id}/",
                    cookies[slot],
                    f"http://127.0.0.1:{worker.port}",
                    tally,
                )
            )
        rooms.append((meeting_id, sockets[:STAYERS], sockets[STAYERS:]))
    everyone = [s for _, stayers, churners in rooms for s in (*stayers, *churners)]
    assert len(everyone) == ROOMS * (STAYERS + CHURNERS) == 500

    gate = asyncio.Semaphore(25)

    async def join(socket: Socket) -> None:
        async with gate:
            await socket.join()

    started = time.monotonic()
    await asyncio.gather(*(join(s) for s in everyone))
    ramp_seconds = time.monotonic() - started
    await asyncio.sleep(3)
    rss_start = {w.label: rss_kib(w.pid) for w in stack.workers}
    load_start = os.getloadavg()
    stop_at = time.monotonic() + SECONDS
    rss_samples: list[dict[str, float]] = []

    loop_lag_ms: list[float] = []

    async def sample_rss() -> None:
        while time.monotonic() < stop_at:
            rss_samples.append({w.label: round(rss_kib(w.pid) / 1024, 1) for w in stack.workers})
            await asyncio.sleep(max(5.0, SECONDS / 20))

    async def watch_lag() -> None:
        """How late this process's own loop wakes up: the load generator's share of latency."""
        while time.monotonic() < stop_at:
            before = time.monotonic()
            await asyncio.sleep(0.05)
            loop_lag_ms.append((time.monotonic() - before - 0.05) * 1000)

    async def stayer(socket: Socket, peers: list[Socket]) -> None:
        await asyncio.sleep(random.uniform(0, OFFER_EVERY))
        while time.monotonic() < stop_at:
            await socket.offer(random.choice([p for p in peers if p is not socket]).peer_id)
            await asyncio.sleep(OFFER_EVERY * random.uniform(0.75, 1.25))

    visiting: set[str] = set()  # churners' peer ids that joined during the churn

    async def churner(room: int, socket: Socket, stayers: list[Socket]) -> None:
        while time.monotonic() < stop_at:
            await socket.leave()
            if socket.peer_id in visiting:
                tally.visits.append((room, socket.peer_id))
            await asyncio.sleep(random.uniform(0.2, 1.0))
            await socket.join()
            visiting.add(socket.peer_id)
            for peer in stayers:
                await socket.offer(peer.peer_id)
            await asyncio.sleep(random.uniform(2.0, 4.0))

    try:
        await asyncio.gather(
            sample_rss(),
            watch_lag(),
            *(stayer(s, stayers) for _, stayers, _ in rooms for s in stayers),
            *(churner(room, c, stayers) for room, stayers, churners in rooms for c in churners),
        )
    except Exception:
        pytest.fail(f"a socket failed mid-soak\n{stack.logs()}")
    settle_seconds = await settle(tally)
    rss_end = {w.label: rss_kib(w.pid) for w in stack.workers}
    load_end = os.getloadavg()

    # Presence: the churners leave, Redis lists exactly the stayers; then nobody.
    for room, _, churners in rooms:
        for socket in churners:
            await socket.leave()
            tally.visits.append((room, socket.peer_id))
    await asyncio.sleep(2)
    store = redis.Redis.from_url(redis_url, decode_responses=True)
    prefix = stack.env["CHANNEL_LAYER_PREFIX"]

    def present(meeting_id: int) -> set[str]:
        return {str(key) for key in store.hkeys(f"{prefix}:presence:room.{meeting_id}:peers")}

    wrong = {
        meeting_id: present(meeting_id)
        for meeting_id, stayers, _ in rooms
        if present(meeting_id) != {s.peer_id for s in stayers}
    }
    for _, stayers, _ in rooms:
        for socket in stayers:
            await socket.leave()
    left_over = {m: present(m) for m in meetings if present(m)}

    lost = [key for key in tally.sent if tally.received.get(key, 0) == 0]
    duplicated = [key for key, times in tally.received.items() if times > 1]
    missed_events = [
        (room, peer_id, stayer.peer_id)
        for room, stayers, _ in rooms
        for visit_room, peer_id in tally.visits
        if visit_room == room
        for stayer in stayers
        if peer_id not in stayer.joined_seen or peer_id not in stayer.left_seen
    ]
    figures = {
        "seconds": SECONDS,
        "sockets": len(everyone),
        "ramp_seconds": round(ramp_seconds, 1),
        "joins": tally.joins,
        "churn_visits": len(tally.visits),
        "offers_sent": len(tally.sent),
        "offers_lost": len(lost),
        "offers_duplicated": len(duplicated),
        "join_leave_events_missed": len(missed_events),
        "error_frames": len(tally.errors),
        "error_codes": dict(Counter(str(e.get("code")) for e in tally.errors)),
        "offer_latency_ms": {
            "p50": percentile(tally.latencies_ms, 50),
            "p99": percentile(tally.latencies_ms, 99),
            "max": percentile(tally.latencies_ms, 100),
        },
        "generator_loop_lag_ms": {
            "p50": percentile(loop_lag_ms, 50),
            "p99": percentile(loop_lag_ms, 99),
        },
        "settle_seconds": round(settle_seconds, 1),
        "load_average_start": [round(x, 1) for x in load_start],
        "load_average_end": [round(x, 1) for x in load_end],
        "rss_start_mib": {k: round(v / 1024, 1) for k, v in rss_start.items()},
        "rss_end_mib": {k: round(v / 1024, 1) for k, v in rss_end.items()},
        "rss_samples_mib": rss_samples,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }
    print(json.dumps(figures))  # noqa: T201
    (BASE_DIR / "var").mkdir(exist_ok=True)
    (BASE_DIR / "var" / f"soak-{int(SECONDS)}s.json").write_text(json.dumps(figures, indent=2))

    assert tally.visits, "no churn happened"
    assert not lost, f"{len(lost)} of {len(tally.sent)} offers lost"
    assert not duplicated
    assert not missed_events, missed_events[:10]
    assert not tally.errors, tally.errors[:10]
    assert not wrong, wrong
    assert not left_over, left_over
    for label, start in rss_start.items():
        assert rss_end[label] <= start * 1.2 + 32 * 1024, (label, start, rss_end[label])
    for worker in stack.workers:
        assert worker.alive(), worker.log_text()[-3000:]
