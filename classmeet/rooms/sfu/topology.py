"""Which topology a room uses (mesh or sfu), shared as widely as presence: in Redis next to
presence with the Redis channel layer, in this process otherwise. A room moves to the SFU once
and stays there until the meeting ends, unless Janus is lost while the room is small enough to
go back to the mesh (consumer.sfu_recover, which holds the room's recovery lock below)."""

from __future__ import annotations

import time

from classmeet.rooms import presence

MESH = "mesh"
SFU = "sfu"
_TTL = 24 * 3600  # a meeting longer than a day starts over as a mesh on its next join

_local: set[int] = set()


def _redis_key(meeting_id: int) -> tuple[object, str] | None:
    store = presence.get_store()
    if isinstance(store, presence.RedisPresenceStore):
        return store._client(), f"{store.prefix}:room.{meeting_id}:topology"
    return None


async def topology_get(*, meeting_id: int) -> str:
    redis = _redis_key(meeting_id)
    if redis is None:
        return SFU if meeting_id in _local else MESH
    client, key = redis
    return SFU if await client.get(key) == SFU else MESH  # type: ignore[attr-defined]


async def topology_switch(*, meeting_id: int) -> bool:
    """Mark the room as SFU; return True for the one caller that switched it."""
    redis = _redis_key(meeting_id)
    if redis is None:
        if meeting_id in _local:
            return False
        _local.add(meeting_id)
        return True
    client, key = redis
    return bool(await client.set(key, SFU, nx=True, ex=_TTL))  # type: ignore[attr-defined]


async def topology_reset(*, meeting_id: int) -> None:
    """The meeting ended: forget its topology."""
    redis = _redis_key(meeting_id)
    if redis is None:
        _local.discard(meeting_id)
        return
    client, key = redis
    await client.delete(key)  # type: ignore[attr-defined]


_local_locks: dict[int, float] = {}


async def recovery_claim(*, meeting_id: int, seconds: float) -> bool:
    """Claim the room's Janus-recovery duty for `seconds`:
    True for one socket across processes until it lapses or is released."""
    redis = _redis_key(meeting_id)
    if redis is None:
        now = time.monotonic()
        if _local_locks.get(meeting_id, 0) > now:
            return False
        _local_locks[meeting_id] = now + seconds
        return True
    client, key = redis
    return bool(
        await client.set(f"{key}:recovery", "1", nx=True, px=int(seconds * 1000))  # type: ignore[attr-defined]
    )


async def recovery_release(*, meeting_id: int) -> None:
    redis = _redis_key(meeting_id)
    if redis is None:
        _local_locks.pop(meeting_id, None)
        return
    client, key = redis
    await client.delete(f"{key}:recovery")  # type: ignore[attr-defined]
