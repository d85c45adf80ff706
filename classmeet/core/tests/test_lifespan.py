"""The ASGI lifespan protocol of config/asgi.py: startup freezes the import's objects and sets
the collector's thresholds; shutdown completes."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from classmeet.core.lifespan import GC_THRESHOLDS


async def test_startup_tunes_the_collector_and_shutdown_completes() -> None:
    from config.asgi import application

    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    before = gc.get_threshold()
    try:
        await inbox.put({"type": "lifespan.startup"})
        await inbox.put({"type": "lifespan.shutdown"})
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
        await asyncio.wait_for(application(scope, inbox.get, send), 10)
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 10_000  # Django and the app, at least
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    assert sent == [
        {"type": "lifespan.startup.complete"},
        {"type": "lifespan.shutdown.complete"},
    ]
