"""The ASGI app of `python -m bench.relay --consumers ...`: the room socket with channels' own
`AsyncConsumer.__call__` and/or `dispatch` in place of the room consumer's own, every other
route and middleware as config/asgi.py builds them.

BENCH_ROOM_CONSUMER picks the variant (see CONSUMERS); the servers of a run get it in their
environment and `uvicorn bench.relay_consumers:application`.
"""

from __future__ import annotations

import os

import django
from channels.consumer import AsyncConsumer
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from classmeet.rooms import routing  # noqa: E402
from classmeet.rooms.sfu.consumer import SfuConsumer  # noqa: E402


class ChannelsCall(SfuConsumer):
    """channels' `await_many_dispatch`: a task per message and an `asyncio.wait` after each."""

    __call__ = AsyncConsumer.__call__


class ChannelsDispatch(SfuConsumer):
    """channels' `dispatch`: `aclose_old_connections()` (a database-thread hop) per message."""

    dispatch = AsyncConsumer.dispatch


class Channels(SfuConsumer):
    """Both of channels' own."""

    __call__ = AsyncConsumer.__call__
    dispatch = AsyncConsumer.dispatch


CONSUMERS: dict[str, type[SfuConsumer]] = {
    "ours": SfuConsumer,
    "channels-call": ChannelsCall,
    "channels-dispatch": ChannelsDispatch,
    "channels": Channels,
}

consumer = CONSUMERS[os.environ.get("BENCH_ROOM_CONSUMER", "ours")]
# config.asgi copies this list into its router when imported: swap the room route first.
routing.websocket_urlpatterns[:] = [path("ws/meeting/<int:meeting_id>/", consumer.as_asgi())]

from config.asgi import application  # noqa: E402

__all__ = ["CONSUMERS", "application"]
