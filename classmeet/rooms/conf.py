"""Tunables of the live room, read at call time so tests can override them with `settings`.

Each can be set in Django settings, or in the environment, under the same name; the defaults
suit a classroom.
"""

import os
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # A client pings every HEARTBEAT seconds; a server refreshes its peers' presence as often.
    "CLASSMEET_ROOM_HEARTBEAT_SECONDS": 10,
    # A peer whose process stopped refreshing it for this long is gone (crashed server).
    "CLASSMEET_ROOM_PRESENCE_TTL_SECONDS": 35,
    # A socket that dropped without `leave` may resume its place for this long.
    "CLASSMEET_ROOM_RESUME_GRACE_SECONDS": 10,
    # A page whose socket cannot rejoin for this long stops reconnecting and ends its room.
    "CLASSMEET_ROOM_RECONNECT_GIVE_UP_SECONDS": 120,
    # Flood control per socket (token bucket): sustained frames per second and burst size.
    "CLASSMEET_WS_RATE_PER_SECOND": 50,
    "CLASSMEET_WS_RATE_BURST": 400,
    "CLASSMEET_WS_MAX_FRAME_BYTES": 64 * 1024,
    # Reactions per socket (token bucket): sustained per second and burst size; over it the
    # socket gets `rate-limited` (it is closed only by the flood control above).
    "CLASSMEET_REACTION_RATE_PER_SECOND": 1,
    "CLASSMEET_REACTION_BURST": 5,
}


def get(name: str) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    return os.environ.get(name, DEFAULTS[name])


def heartbeat_seconds() -> float:
    return float(get("CLASSMEET_ROOM_HEARTBEAT_SECONDS"))


def presence_ttl_seconds() -> float:
    return float(get("CLASSMEET_ROOM_PRESENCE_TTL_SECONDS"))


def resume_grace_seconds() -> float:
    return float(get("CLASSMEET_ROOM_RESUME_GRACE_SECONDS"))


def reconnect_give_up_seconds() -> float:
    return float(get("CLASSMEET_ROOM_RECONNECT_GIVE_UP_SECONDS"))


def max_frame_bytes() -> int:
    return int(get("CLASSMEET_WS_MAX_FRAME_BYTES"))


def rate() -> tuple[float, float]:
    return float(get("CLASSMEET_WS_RATE_PER_SECOND")), float(get("CLASSMEET_WS_RATE_BURST"))


def reaction_rate() -> tuple[float, float]:
    return float(get("CLASSMEET_REACTION_RATE_PER_SECOND")), float(get("CLASSMEET_REACTION_BURST"))
