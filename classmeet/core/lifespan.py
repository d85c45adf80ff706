"""The ASGI `lifespan` protocol: what a server process does once it has loaded the app.

Garbage collection. A worker holding 1,000 signaling sockets tracks about 320,000 objects, 140,000
of them from importing Django and the app, and CPython's full collection walks them all: it
paused the worker for 170-300 ms, often enough to be the relay's p99 under load
(docs/benchmarks.md, signaling relay, fix 11). At startup the objects of the import are moved out
of the collector's sight (`gc.freeze()`: they live as long as the process anyway), and the young
generation is collected every 5,000 allocations instead of 700, so that fewer young collections
promote what is in flight toward a full one. Reference counting still frees almost everything at
once; only cycles wait for the collector.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

logger = logging.getLogger(__name__)

GC_THRESHOLDS = (5_000, 10, 10)


def tune_garbage_collection() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    logger.info("gc: %s objects frozen, thresholds %s", gc.get_freeze_count(), GC_THRESHOLDS)


async def lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            tune_garbage_collection()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
