"""Server-side hooks of the live room: code that runs when a peer joins or leaves.

Other parts of the app (attendance, teacher controls) register an async function with
`@on_join` / `@on_leave`, typically from their AppConfig.ready(). Hooks run after presence is
updated and after the others were told; a failing hook is logged and never breaks the socket.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from classmeet.rooms.presence import Peer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoomEvent:
    meeting_id: int
    peer: Peer
    resumed: bool = False  # join: the peer took its old entry back after a dropped socket
    on_purpose: bool = False  # leave: the client sent `leave` (otherwise: socket lost, grace over)


Hook = Callable[[RoomEvent], Awaitable[None]]
_join_hooks: list[Hook] = []
_leave_hooks: list[Hook] = []


def on_join(hook: Hook) -> Hook:
    if hook not in _join_hooks:
        _join_hooks.append(hook)
    return hook


def on_leave(hook: Hook) -> Hook:
    if hook not in _leave_hooks:
        _leave_hooks.append(hook)
    return hook


async def _run(hooks: list[Hook], event: RoomEvent) -> None:
    for hook in list(hooks):
        try:
            await hook(event)
        except Exception:
            logger.exception("room hook %s failed", getattr(hook, "__qualname__", hook))


async def run_join(event: RoomEvent) -> None:
    await _run(_join_hooks, event)


async def run_leave(event: RoomEvent) -> None:
    await _run(_leave_hooks, event)
