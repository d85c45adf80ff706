"""Benchmark: 200 students answer one live poll within a second (docs/protocol.md "Quizzes and
polls").

One live room on uvicorn with the Redis channel layer: a teacher, 200 answering students and a
pair of students relaying signaling frames (offers and ICE candidates, both ways, at a fixed
rate) the whole time. Each round the teacher opens a poll of 4 options; every student answers once
at a moment spread evenly over one second, and one in ten changes their answer right after; then
the teacher closes it. Checked: the teacher's last live `poll-results` and the final ones count
every student once, with each option's count exactly the last choices sent, and every socket got
the final results. Measured: from each answer's send to the first live `poll-results` the teacher
gets that reflects it (conservatively: one received after the answer's own `poll-answered` and
counting at least as many answers as had been acknowledged by then), and the pair's relay latency
in the second before the answering versus during it (the same rate, the same sockets).

    flock /tmp/classmeet-bench.lock .venv/bin/python -m bench.poll_answers            # and docs
    .venv/bin/python -m bench.poll_answers --students 50 --rounds 1 --no-doc            # quick

Runs on its own PostgreSQL database (classmeet_bench_polls: the seats delete and recreate their
users) and the Redis of --redis-url, keys under the benchmarks' `bench` prefix.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench import common
from bench.relay import flush_redis_prefix
from bench.relay_load import Client, Load, frame, read_marker
from bench.relay_seats import prepare

SECTION = "Live poll answers"
DATABASE = "classmeet_bench_polls"
OPTIONS = ["A", "B", "C", "D"]
P99_BOUND_MS = 300.0
RELAY_SLOWDOWN_BOUND = 1.2
ANSWER_SPREAD_S = 1.0
RELAY_KINDS = ("offer", "ice-candidate", "ice-candidate", "ice-candidate")


@dataclass
class Round:
    poll_id: int = 0
    sent: dict[int, float] = field(default_factory=dict)  # student index -> first answer sent
    last_choice: dict[int, int] = field(default_factory=dict)
    acked: dict[int, tuple[float, int]] = field(default_factory=dict)  # -> (time, ack rank)
    live: list[tuple[float, int, list[int]]] = field(
        default_factory=list
    )  # (time, answered, counts)
    final: dict[int, dict[str, Any]] = field(default_factory=dict)  # socket index -> final frame
    got_poll: set[int] = field(default_factory=set)
    errors: list[dict[str, Any]] = field(default_factory=list)
    answer_ms: list[float] = field(default_factory=list)
    opened_at: float = 0.0
    answering: tuple[float, float] = (0.0, 0.0)
    server_cpu: float = 0.0  # the server's CPU seconds from the first answer to the last result


@dataclass
class Relay:
    pending: dict[int, tuple[float, str]] = field(default_factory=dict)  # seq -> (sent, to)
    done: list[tuple[float, float]] = field(default_factory=list)  # (sent, latency ms)
    wrong: int = 0
    seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class Bench:
    def __init__(self, load: Load, server: common.Server, *, relay_rate: float) -> None:
        self.server = server
        clients = load.clients
        self.teacher = clients[0]
        self.pair = clients[1:3]
        self.students = clients[3:]
        self.everyone = clients
        self.relay_rate = relay_rate
        self.round = Round()
        self.relay = Relay()
        self.relaying = False
        self.lag: list[tuple[float, float]] = []  # (time, ms late): the generator's own loop
        self.events: dict[str, asyncio.Event] = {}
        for index, client in enumerate(clients):
            assert client.ws is not None
            client.ws.on_text = self._handler(index, client)

    def _handler(self, index: int, client: Client) -> Any:
        def receive(text: str) -> None:
            now = time.perf_counter()
            message = json.loads(text)
            kind = message.get("type")
            current = self.round
            if kind in ("offer", "ice-candidate"):
                seq = read_marker(message)
                sent = self.relay.pending.pop(seq, None) if seq is not None else None
                if sent is None or sent[1] != client.peer_id:
                    self.relay.wrong += 1
                else:
                    self.relay.done.append((sent[0], (now - sent[0]) * 1000))
            elif kind == "poll":
                current.poll_id = message["pollId"]
                current.got_poll.add(index)
                if len(current.got_poll) == len(self.everyone):
                    self._set("polled")
            elif kind == "poll-answered":
                if index not in current.acked:
                    current.acked[index] = (now, len(current.acked) + 1)
            elif kind == "poll-results":
                if message["final"]:
                    current.final[index] = message
                    if len(current.final) == len(self.everyone):
                        self._set("final")
                elif client is self.teacher:
                    current.live.append((now, message["answered"], message["counts"]))
            elif kind == "error":
                current.errors.append(message)

        return receive

    def _set(self, name: str) -> None:
        self.events.setdefault(name, asyncio.Event()).set()

    async def _wait(self, name: str, timeout: float = 30) -> None:
        event = self.events.setdefault(name, asyncio.Event())
        await asyncio.wait_for(event.wait(), timeout)
        event.clear()

    async def relay_loop(self) -> None:
        """The pair sends to each other at `relay_rate` frames/s in total, alternating."""
        period = 1 / self.relay_rate
        a, b = self.pair
        rng = random.Random(0)
        due = time.perf_counter()
        for turn in itertools.count():
            if not self.relaying:
                return
            sender, target = (a, b) if turn % 2 == 0 else (b, a)
            seq = next(self.relay.seq)
            now = time.perf_counter()
            self.relay.pending[seq] = (now, target.peer_id)
            assert sender.ws is not None
            sender.ws.send(frame(rng.choice(RELAY_KINDS), target.peer_id, seq, now))
            due += period
            await asyncio.sleep(max(0.0, due - time.perf_counter()))

    async def watch_lag(self) -> None:
        """How late this process's own loop wakes: its share of every latency measured here."""
        while self.relaying:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            after = time.perf_counter()
            self.lag.append((before, (after - before - 0.01) * 1000))

    async def one_round(self, number: int, *, quiet: float) -> Round:
        self.round = current = Round()
        assert self.teacher.ws is not None
        opened = {
            "type": "poll-open",
            "question": f"Benchmark round {number}",
            "options": OPTIONS,
            "correct": [1],
            "seconds": 120,
        }
        current.opened_at = time.perf_counter()
        self.teacher.ws.send(json.dumps(opened))
        await self._wait("polled")
        await asyncio.sleep(quiet)  # the relay's own baseline, just before the answers
        rng = random.Random(number)
        start = time.perf_counter() + 0.01
        step = ANSWER_SPREAD_S / len(self.students)
        changers = set(rng.sample(range(len(self.students)), len(self.students) // 10))
        current.answering = (start, start + ANSWER_SPREAD_S)
        cpu_before = self.server.cpu_seconds()

        async def answer(position: int, client: Client) -> None:
            await asyncio.sleep(max(0.0, start + position * step - time.perf_counter()))
            assert client.ws is not None
            choice = position % len(OPTIONS)
            current.sent[position] = time.perf_counter()
            client.ws.send(
                json.dumps({"type": "poll-answer", "pollId": current.poll_id, "choice": choice})
            )
            current.last_choice[position] = choice
            if position in changers:
                choice = (choice + 1) % len(OPTIONS)
                client.ws.send(
                    json.dumps({"type": "poll-answer", "pollId": current.poll_id, "choice": choice})
                )
                current.last_choice[position] = choice

        order = list(enumerate(self.students))
        await asyncio.gather(*(answer(position, client) for position, client in order))
        # Every answer acknowledged, then the teacher's live results caught up with them.
        deadline = time.perf_counter() + 10
        index_of = {id(client): i for i, client in enumerate(self.everyone)}
        student_indexes = [index_of[id(client)] for client in self.students]
        while time.perf_counter() < deadline and (
            len(current.acked) < len(self.students)
            or not current.live
            or current.live[-1][1] < len(self.students)
        ):
            await asyncio.sleep(0.05)
        current.server_cpu = self.server.cpu_seconds() - cpu_before
        await asyncio.sleep(quiet)  # the trailing live results (coalesced) land
        self.teacher.ws.send(json.dumps({"type": "poll-close", "pollId": current.poll_id}))
        await self._wait("final")
        # Latency per answer: first live frame at or after its acknowledgement counting at least
        # as many answers as had been acknowledged by then.
        for position, sent_at in current.sent.items():
            acked = current.acked.get(student_indexes[position])
            if acked is None:
                continue
            ack_at, rank = acked
            seen = next(
                (at for at, answered, _ in current.live if at >= ack_at and answered >= rank), None
            )
            if seen is not None:
                current.answer_ms.append((seen - sent_at) * 1000)
        return current


def check(current: Round, students: int, sockets: int) -> list[str]:
    """What went wrong in a round (nothing: an empty list)."""
    problems = []
    expected = [0] * len(OPTIONS)
    for choice in current.last_choice.values():
        expected[choice] += 1
    if current.errors:
        problems.append(f"{len(current.errors)} error frames, e.g. {current.errors[0]}")
    if len(current.acked) != students:
        problems.append(f"{len(current.acked)} of {students} answers acknowledged")
    if not current.live or current.live[-1][1] != students or current.live[-1][2] != expected:
        last = current.live[-1] if current.live else None
        problems.append(f"teacher's last live results {last}, expected {students} / {expected}")
    if len(current.final) != sockets:
        problems.append(f"final results reached {len(current.final)} of {sockets} sockets")
    for message in current.final.values():
        if message["answered"] != students or message["counts"] != expected:
            problems.append(f"final results {message}, expected {expected}")
            break
    if len(current.answer_ms) != students:
        problems.append(f"{len(current.answer_ms)} of {students} answers seen live")
    return problems


def windows(relay: Relay, rounds: list[Round], quiet: float) -> tuple[list[float], list[float]]:
    """Relay latencies of frames sent in the `quiet` seconds before each round's answering, and
    of those sent while it answered (its second, plus the results' last coalescing window)."""
    before, during = [], []
    for current in rounds:
        start, end = current.answering
        for sent, latency in relay.done:
            if start - quiet <= sent < start:
                before.append(latency)
            elif start <= sent < end + 0.25:
                during.append(latency)
    return before, during


async def run(
    args: argparse.Namespace,
) -> tuple[list[Round], Relay, list[str], list[tuple[float, float]]]:
    common.raise_open_files_limit()
    flush_redis_prefix(args.redis_url)
    env = common.server_env(redis_url=args.redis_url)
    server = common.uvicorn(common.free_port(), env)
    with common.running(server):
        seats = await asyncio.to_thread(prepare, 1, args.students + 3)  # teacher, pair, students
        load = Load(seats, [server.port], path="/ws/meeting/{id}/", room_state=True)
        await load.connect_all()
        bench = Bench(load, server, relay_rate=args.relay_rate)
        bench.relaying = True
        relay = asyncio.create_task(bench.relay_loop())
        lag = asyncio.create_task(bench.watch_lag())
        await asyncio.sleep(1)  # warm-up of the relay path
        rounds, problems = [], []
        for number in range(1, args.rounds + 1):
            current = await bench.one_round(number, quiet=args.quiet)
            rounds.append(current)
            problems += [
                f"round {number}: {p}" for p in check(current, args.students, len(load.clients))
            ]
        bench.relaying = False
        await relay
        await lag
        await asyncio.sleep(0.5)
        if bench.relay.pending or bench.relay.wrong:
            problems.append(
                f"relay: {len(bench.relay.pending)} lost, {bench.relay.wrong} misdelivered"
            )
        await load.close()
    return rounds, bench.relay, problems, bench.lag


HEADERS = ["", "frames / answers", "p50 ms", "p99 ms", "max ms"]


def table(
    rounds: list[Round], relay: Relay, quiet: float
) -> tuple[list[list[Any]], float, float, float]:
    answer_ms = [ms for current in rounds for ms in current.answer_ms]
    before, during = windows(relay, rounds, quiet)
    p = common.percentile
    rows = [
        [
            "answer → teacher's live results",
            len(answer_ms),
            p(answer_ms, 50),
            p(answer_ms, 99),
            max(answer_ms, default=0.0),
        ],
        [
            "relay, before the answers",
            len(before),
            p(before, 50),
            p(before, 99),
            max(before, default=0.0),
        ],
        [
            "relay, during the answers",
            len(during),
            p(during, 50),
            p(during, 99),
            max(during, default=0.0),
        ],
    ]
    p50_ratio = p(during, 50) / p(before, 50) if before and during else 0.0
    p99_ratio = p(during, 99) / p(before, 99) if before and during else 0.0
    return rows, p(answer_ms, 99), p50_ratio, p99_ratio


def main() -> None:
    parser = argparse.ArgumentParser(description="Live poll answers benchmark")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="polls, one after the other")
    parser.add_argument("--relay-rate", type=float, default=60, help="the pair's frames/s")
    parser.add_argument("--quiet", type=float, default=1.5, help="s of relay alone before answers")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument(
        "--own-redis",
        action="store_true",
        help="start a Redis of its own (at the benchmark's priority) instead of --redis-url",
    )
    parser.add_argument("--no-doc", action="store_true", help="print only")
    args = parser.parse_args()
    import uvloop

    own = None
    if args.own_redis:
        # BENCH_NICE before the Redis starts: it gets the priority of the servers it serves.
        os.setpriority(os.PRIO_PROCESS, 0, int(os.environ.get("BENCH_NICE", "0")))
        port = common.free_port()
        argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        own = common.Server("redis", argv, port, dict(os.environ)).start()
        args.redis_url = f"redis://127.0.0.1:{port}/0"
    try:
        common.setup_django(redis_url=args.redis_url, database=DATABASE)
        rounds, relay, problems, lag = uvloop.run(run(args))
    finally:
        if own is not None:
            own.stop()
    rows, p99, p50_ratio, p99_ratio = table(rounds, relay, args.quiet)
    title = (
        f"Live poll: {args.students} students answering within {ANSWER_SPREAD_S:g} s "
        f"(one in ten changing their answer), {args.rounds} polls, Redis layer "
        f"({'its own Redis' if own else 'the shared Redis'}), 1 uvicorn process; "
        f"a pair relaying {args.relay_rate:g} frames/s in the same room"
    )
    common.print_table(title, HEADERS, rows)
    answers = sum(len(current.sent) for current in rounds)
    cpu_ms = sum(current.server_cpu for current in rounds) * 1000 / max(answers, 1)
    verdict = [
        f"every answer counted once, exact final counts: {'yes' if not problems else 'NO'}",
        f"server CPU per answer (its live results included): {cpu_ms:.2f} ms",
        f"answer → live results p99 {p99:.0f} ms (bound {P99_BOUND_MS:g} ms): "
        f"{'met' if p99 < P99_BOUND_MS else 'MISSED'}",
        f"relay during / before the answers: p50 x{p50_ratio:.2f}, p99 x{p99_ratio:.2f} "
        f"(bound x{RELAY_SLOWDOWN_BOUND:g} on p50): "
        f"{'met' if p50_ratio <= RELAY_SLOWDOWN_BOUND else 'MISSED'}",
    ]
    for number, current in enumerate(rounds, 1):
        ms, start = current.answer_ms, current.answering[0]
        print(
            f"round {number}: answer → live results p50 {common.percentile(ms, 50):.0f} ms, "
            f"p99 {common.percentile(ms, 99):.0f} ms; {len(current.live)} live results; "
            f"server CPU {current.server_cpu:.2f} s; generator's loop late by up to "
            f"{max((ms for at, ms in lag if start <= at < start + 1.3), default=0):.0f} ms"
        )
    print("\n".join([*problems, *verdict]))
    if not args.no_doc:
        body = f"{title}.\n\n{common.markdown_table(HEADERS, rows)}\n\n" + "\n".join(
            f"- {line}" for line in verdict
        )
        common.append_to_doc(
            SECTION, body, command="python -m bench.poll_answers " + " ".join(sys.argv[1:])
        )
    if problems or p99 >= P99_BOUND_MS or p50_ratio > RELAY_SLOWDOWN_BOUND:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
