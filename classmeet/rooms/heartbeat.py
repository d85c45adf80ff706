"""How a peer that never sent `leave` leaves the room: the heartbeat and the reconnect grace.

One heartbeat per process (event loop) and room keeps the presence of its joined sockets fresh,
sweeps the peers whose process stopped refreshing theirs, and checks the sockets' peer maps
against what presence lists. A socket that drops without `leave` keeps its peer for the reconnect
grace; if nobody resumed it by then, it has left. Either way the room is told (`user-left`) and
the leave hooks run.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from classmeet.rooms import conf, hooks, presence
from classmeet.rooms.frames import announce_left
from classmeet.rooms.presence import Peer

logger = logging.getLogger(__name__)


class Socket(Protocol):
    """What the heartbeat needs of a joined room socket (`RoomConsumer`)."""

    meeting_id: int
    peer: Peer | None

    def forget_stale(self, channels: dict[str, str]) -> None: ...


# Strong references to the reconnect-grace timers so they are not garbage collected mid-sleep.
_grace_tasks: set[asyncio.Task[None]] = set()

# One heartbeat per process (event loop) and room: (loop, meeting) → the joined sockets.
_RoomKey = tuple[asyncio.AbstractEventLoop, int]
_beating: dict[_RoomKey, set[Socket]] = {}
_beats: dict[_RoomKey, asyncio.Task[None]] = {}


async def announce_expired(meeting_id: int, expired: presence.Expired) -> None:
    """Tell the room about peers a sweep removed, and run the leave hooks for them."""
    await announce_left(meeting_id, expired.peer_ids)
    for peer in expired.peers:
        await hooks.run_leave(hooks.RoomEvent(meeting_id=meeting_id, peer=peer))


def start_grace(meeting_id: int, peer: Peer) -> None:
    """Start the reconnect grace of `peer`, whose socket dropped without `leave`."""
    task = asyncio.create_task(_release_after_grace(meeting_id, peer))
    _grace_tasks.add(task)
    task.add_done_callback(_grace_tasks.discard)


async def _release_after_grace(meeting_id: int, peer: Peer) -> None:
    """A socket dropped without `leave`: if nobody resumed it within the grace, it has left."""
    try:
        await asyncio.sleep(conf.resume_grace_seconds())
        if await presence.release_if_still_gone(meeting_id, peer):
            await announce_left(meeting_id, [peer.peer_id])
            await hooks.run_leave(hooks.RoomEvent(meeting_id=meeting_id, peer=peer))
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("releasing peer %s of meeting %s failed", peer.peer_id, meeting_id)


def beat_for(socket: Socket) -> None:
    """Keep the socket's peer fresh in presence with the room's heartbeat of this process."""
    key = (asyncio.get_running_loop(), socket.meeting_id)
    _beating.setdefault(key, set()).add(socket)
    if key not in _beats:
        _beats[key] = asyncio.create_task(_room_heartbeat(key))


def stop_beat_for(socket: Socket) -> None:
    _beating.get((asyncio.get_running_loop(), socket.meeting_id), set()).discard(socket)


async def _room_heartbeat(key: _RoomKey) -> None:
    """Refresh the presence of this process's peers of a room in one round trip, sweep peers
    whose process stopped refreshing, and check the sockets' peer maps against what presence
    lists; stop once the process has no socket left in the room."""
    meeting_id = key[1]
    while True:
        await asyncio.sleep(conf.heartbeat_seconds())
        sockets = _beating.get(key)
        if not sockets:
            _beating.pop(key, None)
            _beats.pop(key, None)
            return
        try:
            await presence.touch(meeting_id, *{s.peer.peer_id for s in sockets if s.peer})
            present, expired = await presence.sweep(meeting_id)
            channels = {peer.peer_id: peer.channel for peer in present}
            for socket in _beating.get(key, ()):
                socket.forget_stale(channels)
            await announce_expired(meeting_id, expired)
        except Exception:
            logger.exception("heartbeat of meeting %s failed", meeting_id)
