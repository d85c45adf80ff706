"""The join path's database connections: joins timed against one uvicorn worker with psycopg's
pool (production) and without it (BENCH_DB_POOL=0: a new PostgreSQL connection per
`database_sync_to_async` call), the two servers taking turns in the same run.

A join is the socket's handshake (channels' AuthMiddleware reads the session and the user), the
`join` frame (admission, attendance row, chat history) and the answers `welcome` then
`room-state`; every step's database call runs on the worker's one database thread. Waves of
`--concurrency` joins at once show the queue on that thread at the start of a lesson.

    .venv/bin/python -m bench.join_db [--waves 30] [--concurrency 8] [--rounds 2]

Prints p50/p90 of the join time (connect → `room-state`) and the worker's CPU per join.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

from bench import common, wsclient
from bench.relay_seats import Seat, prepare

PATH = "/ws/meeting/{id}/"
DATABASE = "classmeet_bench_joindb"


async def join(port: int, seat: Seat) -> float:
    """Join the seat's room and leave; return the seconds from connect to `room-state`."""
    started = time.perf_counter()
    ws = await wsclient.Client.connect(
        "127.0.0.1",
        port,
        PATH.format(id=seat.meeting_id),
        headers={"Cookie": f"sessionid={seat.session_key}"},
    )
    inbox: asyncio.Queue[str | None] = asyncio.Queue()
    ws.on_text = inbox.put_nowait
    ws.closed.add_done_callback(lambda _: inbox.put_nowait(None))
    ws.send('{"type":"join"}')
    while True:
        text = await asyncio.wait_for(inbox.get(), 60)
        if text is None:
            raise RuntimeError("the server closed the socket during the join")
        kind = json.loads(text)["type"]
        if kind == "error":
            raise RuntimeError(f"join failed: {text}")
        if kind == "room-state":
            elapsed = time.perf_counter() - started
            await ws.close()
            return elapsed


async def waves(port: int, seats: list[Seat], count: int, concurrency: int) -> list[float]:
    times: list[float] = []
    for wave in range(count):
        start = (wave * concurrency) % len(seats)
        group = [seats[(start + i) % len(seats)] for i in range(concurrency)]
        times += await asyncio.gather(*(join(port, seat) for seat in group))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waves", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="turns of each server")
    parser.add_argument("--port", type=int, default=8781)
    args = parser.parse_args()

    common.setup_django(database=DATABASE)
    rooms = prepare(rooms=4, per_room=args.concurrency)
    seats = [seat for room in rooms for seat in room]
    results: dict[str, list[float]] = {"pool": [], "no pool": []}
    cpu: dict[str, float] = {"pool": 0.0, "no pool": 0.0}
    for _ in range(args.rounds):
        for name, flag in (("no pool", "0"), ("pool", "1")):
            env = {**common.server_env(), "BENCH_DB_POOL": flag}
            with common.running(common.uvicorn(args.port, env)) as (server,):
                asyncio.run(waves(args.port, seats, 3, args.concurrency))  # warm-up
                before = server.cpu_seconds()
                results[name] += asyncio.run(waves(args.port, seats, args.waves, args.concurrency))
                cpu[name] += server.cpu_seconds() - before
    rows = [
        [
            name,
            len(times),
            common.percentile(times, 50) * 1000,
            common.percentile(times, 90) * 1000,
            cpu[name] / len(times) * 1000,
        ]
        for name, times in results.items()
    ]
    common.print_table(
        f"Joins, {args.concurrency} at once, one uvicorn worker (load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end)",
        ["server", "joins", "p50 ms", "p90 ms", "worker CPU ms/join"],
        rows,
    )


if __name__ == "__main__":
    main()
