"""The relay benchmark's load generator (bench/relay.py): clients join rooms on the servers and
send signaling frames to random peers at a fixed total rate; the receiver checks each frame and
its latency."""

from __future__ import annotations

import asyncio
import bisect
import gc
import heapq
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench import wsclient
from bench.relay_seats import Seat

SDP_PADDING = "a=candidate-padding:" + "x" * 2400  # a real offer/answer SDP is 2-5 KiB
KINDS = ("offer", "answer", "ice-candidate")
KIND_WEIGHTS = (1, 1, 8)  # per connection: one offer, one answer, a handful of candidates
KIND_BOUNDS = list(itertools.accumulate(KIND_WEIGHTS))  # for bisect: cheaper than choices()


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
