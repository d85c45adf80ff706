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

This module holds the command line and the runs; the seats are in bench/relay_seats.py, the load
generator in bench/relay_load.py, the results and tables in bench/relay_report.py.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import common
from bench.relay_load import Load
from bench.relay_report import (
    HEADERS,
    Result,
    consumer_summary,
    ladder_summary,
    print_profile,
    report_line,
    rows,
)
from bench.relay_seats import Seat, floor_seats, prepare


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
