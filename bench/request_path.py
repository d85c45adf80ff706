"""The common request path, in-process through the ASGI application (no HTTP server): one page
requested again and again as the pages benchmark's student, by three set-ups taking turns:

- `before`: Django's ASGIHandler, no connection pool (BENCH_DB_POOL=0: a new connection per
  request), in a process of its own
- `pool`: Django's ASGIHandler with production's psycopg pool
- `after`: production's handler (classmeet.core.asgi.SyncChainASGIHandler) with the pool; `pool`
  and `after` alternate in one process, 50 requests at a time

    .venv/bin/python -m bench.request_path /api/v1/notifications/ [--requests 300] [--rounds 3]
    .venv/bin/python -m bench.request_path /api/v1/notifications/ --wrk 3 [--rounds 3]

Needs the data of `python -m bench.pages_data --shape landing`. Prints p50 and mean time per
request and the process's CPU per request (all threads). With `--wrk SECONDS`: the same three
set-ups as three uvicorn processes (`before` and `pool` serve bench/asgi_stock.py), and
`wrk -c1` against each in turn for SECONDS, `--rounds` times: p50 and p99 of the server time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from bench import common
from tests.support import asgi_get

ARMS = ("before", "pool", "after")
STOCK = "bench.asgi_stock:application"
CHUNK = 50


async def request(app: Any, path: str, cookie: str) -> int:
    sent = await asgi_get(app, path, cookie=cookie)
    return int(sent[0]["status"])


def measure(arms: list[str], path: str, requests: int) -> dict[str, Any]:
    """The arms, in this process, taking turns: warm up, then time `requests` requests each,
    one after the other, CHUNK at a time."""
    common.setup_django()
    from django.contrib.auth import get_user_model
    from django.core.handlers.asgi import ASGIHandler

    from bench.pages import existing_sample
    from classmeet.core.asgi import SyncChainASGIHandler

    user = get_user_model().objects.get(pk=existing_sample("landing").student_id)
    cookie = f"sessionid={common.session_key_for(user)}"
    apps = {arm: SyncChainASGIHandler() if arm == "after" else ASGIHandler() for arm in arms}
    times: dict[str, list[float]] = {arm: [] for arm in arms}
    cpu = dict.fromkeys(arms, 0.0)

    async def run() -> None:
        for app in apps.values():
            for _ in range(20):
                assert await request(app, path, cookie) < 400
        for _ in range(0, requests, CHUNK):
            for arm, app in apps.items():
                started_cpu = time.process_time()
                for _ in range(CHUNK):
                    started = time.perf_counter()
                    await request(app, path, cookie)
                    times[arm].append(time.perf_counter() - started)
                cpu[arm] += time.process_time() - started_cpu

    asyncio.run(run())
    return {arm: {"times": times[arm], "cpu": cpu[arm] / len(times[arm])} for arm in arms}


def wrk_runs(path: str, *, seconds: int, rounds: int) -> None:
    from bench.pages import warm, wrk

    common.setup_django()
    from django.contrib.auth import get_user_model

    from bench.pages import existing_sample

    user = get_user_model().objects.get(pk=existing_sample("landing").student_id)
    cookie = common.session_key_for(user)
    servers = {
        "before": common.uvicorn(
            common.free_port(), {**common.server_env(), "BENCH_DB_POOL": "0"}, app=STOCK
        ),
        "pool": common.uvicorn(common.free_port(), common.server_env(), app=STOCK),
        "after": common.uvicorn(common.free_port(), common.server_env()),
    }
    p50: dict[str, list[float]] = {arm: [] for arm in ARMS}
    p99: dict[str, list[float]] = {arm: [] for arm in ARMS}
    with common.running(*servers.values()):
        for server in servers.values():
            warm(server.port, cookie, connections=1)
            wrk(server.port, path, cookie, seconds=1, connections=1)
        for _ in range(rounds):
            for arm, server in servers.items():
                figures = wrk(server.port, path, cookie, seconds=seconds, connections=1)
                p50[arm].append(figures["p50_us"] / 1000)
                p99[arm].append(figures["p99_us"] / 1000)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    common.print_table(
        f"{path}: wrk -c1, one uvicorn each, {rounds} x {seconds} s (load average {load})",
        ["set-up", "p50 ms (median of rounds)", "p99 ms (median of rounds)"],
        [[arm, statistics.median(p50[arm]), statistics.median(p99[arm])] for arm in ARMS],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--arms", help=argparse.SUPPRESS)
    parser.add_argument("--wrk", type=int, default=0, metavar="SECONDS")
    args = parser.parse_args()
    if args.wrk:
        wrk_runs(args.path, seconds=args.wrk, rounds=args.rounds)
        return
    if args.arms:
        print(json.dumps(measure(args.arms.split(","), args.path, args.requests)))
        return

    times: dict[str, list[float]] = {arm: [] for arm in ARMS}
    cpu: dict[str, list[float]] = {arm: [] for arm in ARMS}
    for _ in range(args.rounds):
        for arms, pool in (("before", "0"), ("pool,after", "1")):
            argv = [sys.executable, "-m", "bench.request_path", args.path, "--arms", arms]
            out = subprocess.run(
                [*argv, "--requests", str(args.requests)],
                env={**os.environ, "BENCH_DB_POOL": pool},
                cwd=common.ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            for arm, result in json.loads(out.stdout.strip().splitlines()[-1]).items():
                times[arm] += result["times"]
                cpu[arm].append(result["cpu"])
    rows = [
        [
            arm,
            len(times[arm]),
            statistics.median(times[arm]) * 1000,
            statistics.mean(times[arm]) * 1000,
            statistics.median(cpu[arm]) * 1000,
        ]
        for arm in ARMS
    ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    common.print_table(
        f"{args.path} in-process through ASGI, one request at a time (load average {load})",
        ["set-up", "requests", "p50 ms", "mean ms", "CPU ms/request"],
        rows,
    )


if __name__ == "__main__":
    main()
