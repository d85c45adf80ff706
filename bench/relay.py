"""Benchmark 1: the signaling relay under load.

Real users (one signed-in session each) join N live rooms x M participants on /ws/meeting/<id>/;
every client then sends `offer`/`answer`/`ice-candidate` frames to random peers of its room at a
fixed total rate. Each frame carries a sequence number and its send time; the receiver checks
that it reached the addressed peer, from the right sender, once. Reported: one-way latency
p50/p99/max, relayed messages/s, lost and misdelivered frames, server CPU per relayed message
(from /proc, the Redis server's included for the Redis layer) and the load generator's own CPU.

Runs, side by side: the floor (bench/relay_floor.py, plain `websockets`), our server with the
in-memory layer (1 process), with the Redis layer (1 process), and 2 processes sharing Redis in
two ways: `redis2pin`, each room's clients on one process, as deploy/nginx/classmeet.conf routes
them (a hash of the meeting id), and `redis2`, the clients of every room split across both (so
about half the frames cross processes: the worst case, e.g. a room whose worker restarted); then
a rate ladder on the Redis layer (1 process vs 2 pinned) to find the highest rate each holds
under the p99 bound.

The generator is one asyncio (uvloop) process: its clients are bench/wsclient.py, websockets'
sans-I/O protocol with the text frames cut and built in place, and one task sends every client's
frames; it costs about a third of a core per 6,000 msg/s, and it shares the 2 cores with the
servers it measures, so its CPU is reported beside theirs.

    .venv/bin/python -m bench.relay                      # everything, ~15 minutes
    .venv/bin/python -m bench.relay --runs floor,memory --duration 10
    .venv/bin/python -m bench.relay --runs redis,redis2 --layers room,pubsub   # layers compared
    .venv/bin/python -m bench.relay --runs redis --consumers ours,channels --rounds 3

`--consumers` runs the room socket as deployed and on channels' own `__call__`/`dispatch`
(bench/relay_consumers.py) in turn, `--rounds` times, for an A/B comparison under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import gc
import heapq
import itertools
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common, wsclient

SDP_PADDING = "a=candidate-padding:" + "x" * 2400  # a real offer/answer SDP is 2-5 KiB
KINDS = ("offer", "answer", "ice-candidate")
KIND_WEIGHTS = (1, 1, 8)  # per connection: one offer, one answer, a handful of candidates
KIND_BOUNDS = list(itertools.accumulate(KIND_WEIGHTS))  # for bisect: cheaper than choices()


# Data ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    meeting_id: int
    session_key: str


def prepare(rooms: int, per_room: int) -> list[list[Seat]]:
    """Create a teacher and per_room-1 enrolled students per room, a live meeting and sessions."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from classmeet.courses.models import Course, Enrollment
    from classmeet.meetings.models import Meeting

    user_model = get_user_model()
    now = timezone.now()
    password = make_password("bench-relay")
    with transaction.atomic():
        user_model.objects.filter(username__startswith="relay-").delete()
        teachers = user_model.objects.bulk_create(
            user_model(username=f"relay-t{r}", password=password, role="teacher")
            for r in range(rooms)
        )
        students = user_model.objects.bulk_create(
            user_model(username=f"relay-s{r}-{i}", password=password, role="student")
            for r in range(rooms)
            for i in range(per_room - 1)
        )
        courses = Course.objects.bulk_create(
            Course(teacher=teacher, title=f"Relay room {r}") for r, teacher in enumerate(teachers)
        )
        Enrollment.objects.bulk_create(
            Enrollment(course=courses[index // (per_room - 1)], student=student)
            for index, student in enumerate(students)
        )
        meetings = Meeting.objects.bulk_create(
            Meeting(
                course=course,
                title="Load test",
                starts_at=now - timedelta(minutes=1),
                duration_minutes=240,
                created_by=course.teacher,
            )
            for course in courses
        )
        store = SessionStore()
        expires = now + timedelta(days=1)
        seats: list[list[Seat]] = []
        sessions = []
        for r in range(rooms):
            members = [teachers[r], *students[r * (per_room - 1) : (r + 1) * (per_room - 1)]]
            row = []
            for user in members:
                key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
                data = {
                    "_auth_user_id": str(user.pk),
                    "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                    "_auth_user_hash": user.get_session_auth_hash(),
                }
                sessions.append(
                    Session(session_key=key, session_data=store.encode(data), expire_date=expires)
                )
                row.append(Seat(meetings[r].pk, key))
            seats.append(row)
        Session.objects.bulk_create(sessions)
    return seats


def floor_seats(rooms: int, per_room: int) -> list[list[Seat]]:
    return [[Seat(r + 1, "") for _ in range(per_room)] for r in range(rooms)]


# Load generator --------------------------------------------------------------------------------


@dataclass
class Sent:
    sender: str
    target: str
    kind: str
    at: float
    measured: bool


@dataclass
class Stats:
    pending: dict[int, Sent] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    delivered: int = 0
    misdelivered: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    loop_lag_ms: list[float] = field(default_factory=list)
    sent_measured: int = 0
    lost: int = 0


@dataclass
class Client:
    seat: Seat
    port: int
    room: int
    ws: wsclient.Client | None = None
    peer_id: str = ""


def marker(seq: int, at: float) -> str:
    return f"bench:{seq}:{at!r}:"


def _template(kind: str) -> str:
    """The frame of `kind` encoded once, with `%(to)s` and `%(mark)s` holes (neither needs JSON
    escaping: peer ids and markers are [A-Za-z0-9.:_-]); filling it is ~10x cheaper than
    json.dumps of the same dict, which keeps the generator's CPU off the servers' cores."""
    to, mark = "@@TO@@", "@@MARK@@"
    if kind == "ice-candidate":
        candidate = {
            "candidate": f"candidate:{mark} 1 udp 2122260223 192.168.1.23 54321 typ host "
            "generation 0 ufrag Xy1z network-id 1",
            "sdpMid": "0",
            "sdpMLineIndex": 0,
            "usernameFragment": "Xy1z",
        }
        text = json.dumps({"type": kind, "to": to, "candidate": candidate})
    else:
        sdp = f"v=0\r\no=- {mark} 2 IN IP4 127.0.0.1\r\ns=-\r\n{SDP_PADDING}\r\n"
        text = json.dumps({"type": kind, "to": to, "sdp": sdp})
    return text.replace("%", "%%").replace(to, "%(to)s").replace(mark, "%(mark)s")


TEMPLATES = {kind: _template(kind) for kind in KINDS}


def frame(kind: str, to: str, seq: int, at: float) -> str:
    return TEMPLATES[kind] % {"to": to, "mark": marker(seq, at)}


def read_marker(message: dict[str, Any]) -> int | None:
    text = message.get("sdp") or (message.get("candidate") or {}).get("candidate", "")
    start = text.find("bench:")
    if start < 0:
        return None
    return int(text[start + 6 : text.index(":", start + 6)])


class Load:
    def __init__(
        self,
        seats: list[list[Seat]],
        ports: list[int],
        *,
        path: str,
        room_state: bool,
        pinned: bool = False,
    ) -> None:
        self.rooms = seats
        self.room_state = room_state
        self.path = path
        self.clients: list[Client] = []
        index = 0
        for r, row in enumerate(seats):
            for seat in row:
                # pinned: a room on one process (nginx's hash); else its clients alternate.
                self.clients.append(Client(seat, ports[(r if pinned else index) % len(ports)], r))
                index += 1
        self.stats = Stats()
        self.seq = 0
        self.measuring = False
        self.sending = False
        self.closing = False
        self.peers_of_room: list[list[str]] = [[] for _ in seats]
        self.join_retries = 0

    async def connect_all(self, concurrency: int = 40) -> None:
        gate = asyncio.Semaphore(concurrency)

        async def one(client: Client) -> None:
            async with gate:
                await self._connect(client)

        await asyncio.gather(*(one(client) for client in self.clients))
        for client in self.clients:
            self.peers_of_room[client.room].append(client.peer_id)

    async def _connect(self, client: Client) -> None:
        """Open the socket and join, retrying a join the server refused with 1013 ("try again
        later": presence or the layer was unreachable), as the browser's client does."""
        for attempt in range(6):
            try:
                await self._join(client)
                return
            except wsclient.Closed as closed:
                if closed.code != 1013 or attempt == 5:
                    raise
                self.join_retries += 1
                await asyncio.sleep(0.5 * 2**attempt)

    async def _join(self, client: Client) -> None:
        path = self.path.format(id=client.seat.meeting_id)
        headers = {"Cookie": f"sessionid={client.seat.session_key}"}
        for attempt in range(5):
            try:
                ws = await wsclient.Client.connect("127.0.0.1", client.port, path, headers=headers)
                break
            except OSError:
                if attempt == 4:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))
        client.ws = ws
        inbox: asyncio.Queue[str | None] = asyncio.Queue()  # None: the server closed
        ws.on_text = inbox.put_nowait
        ws.closed.add_done_callback(lambda _: inbox.put_nowait(None))
        ws.send('{"type":"join"}')
        # Joined = `welcome`, then (our server) `room-state`: it follows the join's database
        # work (attendance row, chat history), which would otherwise still be queued when the
        # measured traffic starts.
        wanted = "welcome"
        while True:
            text = await asyncio.wait_for(inbox.get(), 600)
            if text is None:
                raise wsclient.Closed(ws.closed.result())
            message = json.loads(text)
            if message["type"] == "welcome":
                client.peer_id = message["peerId"]
                if not self.room_state:
                    break
                wanted = "room-state"
            elif message["type"] == wanted:
                break
            if message["type"] == "error":
                raise RuntimeError(f"join failed: {message}")
        ws.on_text = lambda text: self._receive(client, text)
        ws.closed.add_done_callback(lambda _: self._closed())
        while not inbox.empty():  # e.g. `user-joined` of a later peer: nothing measured yet
            if (text := inbox.get_nowait()) is not None:
                self._receive(client, text)

    def _receive(self, client: Client, text: str) -> None:
        stats = self.stats
        now = time.perf_counter()
        message = json.loads(text)
        kind = message.get("type")
        if kind in KINDS:
            seq = read_marker(message)
            sent = stats.pending.pop(seq, None) if seq is not None else None
            if (
                sent is None
                or sent.target != client.peer_id
                or sent.sender != message.get("from")
                or sent.kind != kind
            ):
                stats.misdelivered += 1
                return
            if sent.measured:
                stats.delivered += 1
                stats.latencies_ms.append((now - sent.at) * 1000)
        elif kind == "error":
            code = str(message.get("code"))
            stats.errors[code] = stats.errors.get(code, 0) + 1

    def _closed(self) -> None:
        if not self.closing:  # closed by the server (or reset) while the run was going
            self.stats.closed += 1

    async def _send_all(self, period: float, heartbeat: float) -> None:
        """One task sends every client's frames, each client at its own fixed period from a
        random phase. It wakes at most once a millisecond and sends what has fallen due: uvloop's
        timers have millisecond resolution, so waiting for each frame's own due time spun the
        loop between frames and doubled the generator's CPU. A frame's latency is timed from
        when it is really sent."""
        loop_rng = random.Random(0)
        start = time.perf_counter()
        due: list[tuple[float, int]] = []
        pings: list[float] = []
        rngs: list[random.Random] = []
        others: list[list[str]] = []
        sockets: list[wsclient.Client] = []
        for index, client in enumerate(self.clients):
            assert client.ws is not None
            sockets.append(client.ws)
            due.append((start + loop_rng.random() * period, index))
            pings.append(start + loop_rng.random() * heartbeat)
            rngs.append(random.Random(client.peer_id))
            others.append([p for p in self.peers_of_room[client.room] if p != client.peer_id])
        heapq.heapify(due)
        pending, stats = self.stats.pending, self.stats
        while self.sending:
            now = time.perf_counter()
            while due[0][0] <= now:
                at, index = due[0]
                client, ws, rng = self.clients[index], sockets[index], rngs[index]
                if now >= pings[index]:
                    ws.send('{"type":"ping"}')
                    pings[index] += heartbeat
                self.seq += 1
                kind = KINDS[bisect.bisect(KIND_BOUNDS, rng.random() * KIND_BOUNDS[-1])]
                target = rng.choice(others[index])
                pending[self.seq] = Sent(client.peer_id, target, kind, now, self.measuring)
                if self.measuring:
                    stats.sent_measured += 1
                ws.send(frame(kind, target, self.seq, now))
                heapq.heapreplace(due, (at + period, index))
                now = time.perf_counter()
            await asyncio.sleep(max(due[0][0] - now, 0.001))

    async def run(
        self, *, rate: float, warmup: float, duration: float, on_window: Callable[[bool], None]
    ) -> float:
        """Send for warmup + duration seconds; return the measured window's length."""
        period = len(self.clients) / rate
        # The generator's own garbage is acyclic (frames, Sent records, floats): reference
        # counting frees it, and the cyclic collector's passes over Django's and the clients'
        # long-lived objects only cost CPU on the cores the servers share.
        gc.collect()
        gc.freeze()
        gc.disable()
        self.sending = True
        sender = asyncio.create_task(self._send_all(period, 10.0))
        await asyncio.sleep(warmup)
        self.measuring = True
        on_window(True)
        started = time.perf_counter()
        lag = asyncio.create_task(self._watch_lag())
        await asyncio.sleep(duration)
        self.measuring = False
        await lag
        on_window(False)
        window = time.perf_counter() - started
        self.sending = False
        await sender
        await asyncio.sleep(3)  # let the last frames arrive
        gc.enable()
        gc.unfreeze()
        self.stats.lost = sum(1 for sent in self.stats.pending.values() if sent.measured)
        return window

    async def _watch_lag(self) -> None:
        """How late the generator's own event loop wakes up: its share of every latency."""
        while self.measuring:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            self.stats.loop_lag_ms.append((time.perf_counter() - before - 0.01) * 1000)

    async def close(self) -> None:
        self.closing = True
        await asyncio.gather(
            *(c.ws.close() for c in self.clients if c.ws is not None), return_exceptions=True
        )


# Runs ------------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    rate: float
    window: float = 0.0
    stats: Stats = field(default_factory=Stats)
    server_cpu: float = 0.0
    redis_cpu: float = 0.0
    generator_cpu: float = 0.0
    connect_seconds: float = 0.0
    clients: int = 0
    join_retries: int = 0

    @property
    def relayed_per_s(self) -> float:
        return self.stats.delivered / self.window if self.window else 0.0

    @property
    def cpu_us_per_msg(self) -> float:
        total = self.server_cpu + self.redis_cpu
        return total / self.stats.delivered * 1e6 if self.stats.delivered else 0.0

    def p(self, q: float) -> float:
        return common.percentile(self.stats.latencies_ms, q)


async def measure(
    name: str,
    servers: list[common.Server],
    seats: list[list[Seat]],
    *,
    rate: float,
    warmup: float,
    duration: float,
    redis_pid: int | None = None,
    profile: bool = False,
    pinned: bool = False,
) -> Result:
    result = Result(name, rate)
    profilers: list[subprocess.Popen[bytes]] = []
    load = Load(
        seats,
        [s.port for s in servers],
        path="/ws/meeting/{id}/",
        room_state=name != "floor",
        pinned=pinned,
    )
    started = time.perf_counter()
    await load.connect_all()
    result.connect_seconds = time.perf_counter() - started
    result.clients = len(load.clients)
    marks: dict[bool, tuple[float, float, float]] = {}

    def on_window(opening: bool) -> None:
        redis_cpu = common.proc_cpu_seconds(redis_pid) if redis_pid else 0.0
        server_cpu = sum(s.cpu_seconds() for s in servers)
        marks[opening] = (server_cpu, redis_cpu, common.self_cpu_seconds())
        if opening and profile:
            for index, server in enumerate(servers):
                out = profile_path(name, index)
                profilers.append(common.start_profile(server.pids[0], duration, out))

    result.window = await load.run(rate=rate, warmup=warmup, duration=duration, on_window=on_window)
    (s0, r0, g0), (s1, r1, g1) = marks[True], marks[False]
    result.server_cpu, result.redis_cpu, result.generator_cpu = s1 - s0, r1 - r0, g1 - g0
    result.stats = load.stats
    result.join_retries = load.join_retries
    await load.close()
    for profiler in profilers:
        profiler.wait()
    return result


def profile_path(name: str, index: int) -> Path:
    slug = "".join(c if c.isalnum() else "-" for c in name)
    return common.ROOT / "var" / "bench" / f"profile-relay-{slug}-{index}.txt"


def flush_redis_prefix(redis_url: str) -> None:
    """Drop the benchmark's own keys (channel layer and presence under `bench`) between runs."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match="bench*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


async def run_all(args: argparse.Namespace, *, consumer: str = "") -> list[Result]:
    """Each run of `--runs`; with `consumer`, the servers use that room consumer variant."""
    common.raise_open_files_limit()
    redis_url = args.redis_url
    results: list[Result] = []
    runs = args.runs.split(",")
    env_memory = common.server_env()
    env_redis = common.server_env(redis_url=redis_url)
    app = ""
    if consumer:
        app = "bench.relay_consumers:application"
        env_memory["BENCH_ROOM_CONSUMER"] = env_redis["BENCH_ROOM_CONSUMER"] = consumer

    def uvicorn(env: dict[str, str]) -> common.Server:
        return common.uvicorn(common.free_port(), env, app=app)

    rpid = common.redis_pid(redis_url)
    kwargs: dict[str, Any] = {
        "warmup": args.warmup,
        "duration": args.duration,
        "profile": args.profile,
    }

    async def one(name: str, servers: list[common.Server], rate: float, **extra: Any) -> None:
        if "redis" in name:
            flush_redis_prefix(redis_url)
        with common.running(*servers):
            if name == "floor":
                use = floor_seats(args.rooms, args.per_room)
            else:  # fresh sessions and live meetings: attendance rows start empty
                use = await asyncio.to_thread(prepare, args.rooms, args.per_room)
            result = await measure(name, servers, use, rate=rate, **kwargs, **extra)
        if consumer:
            result.name += f" [{consumer}]"
        results.append(result)
        report_line(result)
        if args.profile:
            for index in range(len(servers)):
                print_profile(profile_path(name, index))

    if "floor" in runs:
        port = common.free_port()
        argv = [str(common.BIN / "python"), "-m", "bench.relay_floor", f"--port={port}"]
        await one("floor", [common.Server("floor", argv, port, env_memory)], args.rate)
    if "memory" in runs:
        await one("memory, 1 process", [uvicorn(env_memory)], args.rate)

    async def on_redis(name: str, procs: int, rate: float, *, pinned: bool = False) -> None:
        for layer in args.layers.split(","):  # one after the other: same load for each
            env = {**env_redis, "CLASSMEET_CHANNEL_LAYER": layer}
            label = name if layer == "room" else name.replace("redis", f"redis {layer}", 1)
            servers = [uvicorn(env) for _ in range(procs)]
            await one(label, servers, rate, redis_pid=rpid, pinned=pinned)

    if "redis" in runs:
        await on_redis("redis, 1 process", 1, args.rate)
    if "redis2pin" in runs:
        await on_redis("redis, 2 processes, rooms pinned", 2, args.rate, pinned=True)
    if "redis2" in runs:
        await on_redis("redis, 2 processes, rooms split", 2, args.rate)
    if "ladder" in runs:
        for rate in args.ladder:
            for procs in (1, 2):
                await on_redis(f"ladder redis x{procs} @{rate:g}", procs, rate, pinned=True)
    return results


def report_line(result: Result) -> None:
    s = result.stats
    print(
        f"{result.name}: {result.relayed_per_s:.0f} msg/s, p50 {result.p(50):.1f} ms, "
        f"p99 {result.p(99):.1f} ms, lost {s.lost}, misdelivered {s.misdelivered}, "
        f"errors {s.errors}, closed {s.closed}, server {result.server_cpu:.1f} s CPU, "
        f"redis {result.redis_cpu:.1f} s, generator {result.generator_cpu:.1f} s, "
        f"joins retried after 1013: {result.join_retries}",
        file=sys.stderr,
    )


def print_profile(path: Path) -> None:
    if not path.exists():
        return
    print(f"\npy-spy profile {path.relative_to(common.ROOT)} (inclusive %, self %):")
    for inclusive, own, frame in common.profile_summary(path, top=40):
        print(f"{inclusive:5.1f} {own:5.1f}  {frame[:140]}")


HEADERS = (
    "run",
    "offered msg/s",
    "relayed msg/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "lost",
    "misdelivered",
    "errors + closes",
    "server CPU µs/msg",
    "of which Redis",
    "server CPU %",
    "generator CPU %",
    "joins/s",
    "generator loop lag p99 ms",
    "p99 ÷ floor",
    "CPU/msg ÷ floor",
)


def rows(results: list[Result]) -> list[list[Any]]:
    floor = next((r for r in results if r.name == "floor"), None)
    out = []
    for r in results:
        redis_share = r.redis_cpu / r.stats.delivered * 1e6 if r.stats.delivered else 0.0
        out.append(
            [
                r.name,
                r.rate,
                r.relayed_per_s,
                r.p(50),
                r.p(99),
                max(r.stats.latencies_ms, default=0.0),
                r.stats.lost,
                r.stats.misdelivered,
                sum(r.stats.errors.values()) + r.stats.closed,
                r.cpu_us_per_msg,
                redis_share,
                (r.server_cpu + r.redis_cpu) / r.window * 100 if r.window else 0.0,
                r.generator_cpu / r.window * 100 if r.window else 0.0,
                r.clients / r.connect_seconds if r.connect_seconds else 0.0,
                common.percentile(r.stats.loop_lag_ms, 99),
                r.p(99) / floor.p(99) if floor and floor.p(99) else "",
                r.cpu_us_per_msg / floor.cpu_us_per_msg if floor and floor.cpu_us_per_msg else "",
            ]
        )
    return out


def ladder_summary(results: list[Result], bound_ms: float) -> str:
    """For the p99 bound (and tighter ones, for the shape of the curve): the highest rate each
    process count held with nothing lost, and the ratio 2 processes : 1 process."""
    lines = []
    for bound in sorted({10.0, 25.0, bound_ms}):
        best: dict[int, float] = {}
        for r in results:
            if not r.name.startswith("ladder redis x"):  # the room layer's
                continue
            procs = int(r.name.split("x")[1].split()[0])
            ok = r.p(99) <= bound and r.stats.lost == 0 and r.stats.misdelivered == 0
            if ok and r.relayed_per_s >= 0.95 * r.rate:
                best[procs] = max(best.get(procs, 0.0), r.relayed_per_s)
        if not best:
            continue
        one, two = best.get(1, 0.0), best.get(2, 0.0)
        ratio = f" ({two / one:.2f}x)" if one and two else ""
        held = [
            f"{n} process{'es' if n > 1 else ''} "
            + (f"{r:.0f} msg/s" if r else "none of the rates tried")
            for n, r in ((1, one), (2, two))
        ]
        lines.append(
            f"Highest rate held with p99 ≤ {bound:g} ms and nothing lost, Redis layer: "
            f"{held[0]}, {held[1]}{ratio}."
        )
    return "\n".join(lines)


def consumer_summary(results: list[Result]) -> tuple[list[str], list[list[Any]]]:
    """Per run and consumer variant over the rounds: the median and the range (the noise)."""
    grouped: dict[str, list[Result]] = {}
    for r in results:
        if r.name.endswith("]"):
            grouped.setdefault(r.name, []).append(r)
    headers = ["run [consumer]", "rounds", "p50 ms", "p99 ms", "server CPU µs/msg", "lost"]
    out: list[list[Any]] = []
    for name, group in grouped.items():
        cells: list[Any] = [name, len(group)]
        for values in (
            [r.p(50) for r in group],
            [r.p(99) for r in group],
            [r.cpu_us_per_msg for r in group],
        ):
            cells.append(
                f"{common.fmt(common.median(values))} "
                f"({common.fmt(min(values))}-{common.fmt(max(values))})"
            )
        cells.append(sum(r.stats.lost + r.stats.misdelivered for r in group))
        out.append(cells)
    return headers, out


def main() -> None:
    parser = argparse.ArgumentParser(description="Signaling relay benchmark")
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--per-room", type=int, default=10)
    parser.add_argument("--rate", type=float, default=1000, help="messages/s in total")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--runs", default="floor,memory,redis,redis2pin,redis2,ladder")
    parser.add_argument(
        "--ladder",
        type=lambda s: [float(x) for x in s.split(",")],
        default=[6000.0, 7000.0, 8000.0, 9000.0, 10500.0],
        help="msg/s; 2-process ladder runs pin rooms as nginx does",
    )
    parser.add_argument(
        "--layers",
        default="room",
        help="Redis runs: CLASSMEET_CHANNEL_LAYER values, each run once per layer (room,pubsub)",
    )
    parser.add_argument(
        "--consumers",
        default="",
        help="room consumer variants of bench/relay_consumers.py (ours, channels, channels-call, "
        "channels-dispatch), run one after the other, each with every run of --runs",
    )
    parser.add_argument("--rounds", type=int, default=1, help="repeat the --consumers variants")
    parser.add_argument("--p99-bound", type=float, default=50.0, help="ms, for the ladder")
    parser.add_argument("--redis-url", default=common.DEFAULT_REDIS_URL)
    parser.add_argument("--no-doc", action="store_true", help="print only")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the servers during the measured window"
    )
    args = parser.parse_args()
    import uvloop

    common.setup_django()
    consumers = args.consumers.split(",") if args.consumers else [""]

    async def rounds() -> list[Result]:  # one loop: its threads keep their database connections
        results: list[Result] = []
        for _round in range(args.rounds):  # A, B, A, B...: every variant sees the same load
            for consumer in consumers:
                results += await run_all(args, consumer=consumer)
        return results

    results = uvloop.run(rounds())
    title = (
        f"Signaling relay: {args.rooms} rooms x {args.per_room} participants, "
        f"{args.duration:g} s measured after {args.warmup:g} s warm-up"
    )
    table = rows(results)
    common.print_table(title, HEADERS, table)
    summary = ladder_summary(results, args.p99_bound)
    if summary:
        print(summary)
    variants = consumer_summary(results)
    if variants[1]:
        common.print_table("Median (range) over the rounds", *variants)
    if not args.no_doc:
        summary_md = "\n".join(f"- {line}" for line in summary.splitlines())
        body = f"{title}.\n\n{common.markdown_table(HEADERS, table)}\n\n{summary_md}\n"
        if variants[1]:
            body += f"\nMedian (range) over the rounds:\n\n{common.markdown_table(*variants)}\n"
        common.append_to_doc(
            "Signaling relay", body, command="python -m bench.relay " + " ".join(sys.argv[1:])
        )


if __name__ == "__main__":
    main()
