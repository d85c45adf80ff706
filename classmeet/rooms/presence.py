"""Who is in a room, across processes.

Presence is shared exactly as widely as the channel layer: in Redis (next to the layer, with its
prefix) when the default layer is channels_redis's or ours (`classmeet.rooms.channel_layers`), in this
process otherwise.

Each peer is one entry `peerId → Peer` (user, name, role, channel name) plus a `last_seen` time.
A live connection refreshes `last_seen` every heartbeat; entries of a crashed process stop being
refreshed and are swept after `CLASSMEET_ROOM_PRESENCE_TTL_SECONDS`. A socket that drops without
`leave` keeps its entry, with an empty channel, for `CLASSMEET_ROOM_RESUME_GRACE_SECONDS`, so the
same tab can reconnect (`join` with `resume`) and take its place back instead of appearing twice.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

from django.conf import settings

from classmeet.core.layer_address import redis_layer_target
from classmeet.rooms import conf


@dataclass(frozen=True)
class Peer:
    peer_id: str
    user_id: int
    name: str
    role: str
    channel: str  # empty while the socket is gone (reconnect grace)
    gone_at: float = 0.0  # time.time() when the socket dropped, 0 while connected

    @property
    def connected(self) -> bool:
        return bool(self.channel)


def _key(meeting_id: int) -> str:
    return f"room.{meeting_id}"


class PresenceStore(Protocol):
    async def put(self, meeting_id: int, peer: Peer, *, now: float) -> None: ...
    async def get(self, meeting_id: int, peer_id: str) -> Peer | None: ...
    async def all(self, meeting_id: int) -> list[tuple[Peer, float]]: ...
    async def touch(self, meeting_id: int, peer_ids: list[str], *, now: float) -> None: ...
    async def remove(self, meeting_id: int, peer_id: str) -> bool: ...


class LocalPresenceStore:
    """One process: a dict. Used with the in-memory channel layer (development, unit tests)."""

    def __init__(self) -> None:
        self._rooms: dict[int, dict[str, tuple[Peer, float]]] = {}

    async def put(self, meeting_id: int, peer: Peer, *, now: float) -> None:
        self._rooms.setdefault(meeting_id, {})[peer.peer_id] = (peer, now)

    async def get(self, meeting_id: int, peer_id: str) -> Peer | None:
        entry = self._rooms.get(meeting_id, {}).get(peer_id)
        return entry[0] if entry else None

    async def all(self, meeting_id: int) -> list[tuple[Peer, float]]:
        return list(self._rooms.get(meeting_id, {}).values())

    async def touch(self, meeting_id: int, peer_ids: list[str], *, now: float) -> None:
        room = self._rooms.get(meeting_id, {})
        for peer_id in peer_ids:
            if peer_id in room:
                room[peer_id] = (room[peer_id][0], now)

    async def remove(self, meeting_id: int, peer_id: str) -> bool:
        room = self._rooms.get(meeting_id)
        if room is None or peer_id not in room:
            return False
        del room[peer_id]
        if not room:
            del self._rooms[meeting_id]
        return True


class RedisPresenceStore:
    """Two hashes per room: `<prefix>:room.<id>:peers` (peer → JSON) and `...:seen` (peer → time)."""

    def __init__(self, *, address: str, prefix: str) -> None:
        self.address = address
        self.prefix = prefix
        # redis.asyncio clients belong to one event loop; tests and servers may run several.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    def _client(self) -> Any:
        import redis.asyncio as redis

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            # A blocking pool: 1,000 sockets joining at once wait for one of its connections
            # instead of failing with MaxConnectionsError (redis-py's default pool holds 100
            # and raises when they are all in use; bench/relay.py hit it, docs/benchmarks.md).
            pool = redis.BlockingConnectionPool.from_url(
                self.address,
                max_connections=100,
                timeout=20,
                socket_timeout=10,
                decode_responses=True,
            )
            client = redis.Redis(connection_pool=pool)
            self._clients[loop] = client
        return client

    def _keys(self, meeting_id: int) -> tuple[str, str]:
        base = f"{self.prefix}:{_key(meeting_id)}"
        return f"{base}:peers", f"{base}:seen"

    def _ttl(self) -> int:
        # The whole room expires if nobody refreshes it (every process crashed).
        return int(conf.presence_ttl_seconds()) * 4

    async def put(self, meeting_id: int, peer: Peer, *, now: float) -> None:
        peers, seen = self._keys(meeting_id)
        async with self._client().pipeline(transaction=True) as pipe:
            pipe.hset(peers, peer.peer_id, json.dumps(asdict(peer)))
            pipe.hset(seen, peer.peer_id, repr(now))
            pipe.expire(peers, self._ttl())
            pipe.expire(seen, self._ttl())
            await pipe.execute()

    async def get(self, meeting_id: int, peer_id: str) -> Peer | None:
        raw = await self._client().hget(self._keys(meeting_id)[0], peer_id)
        return Peer(**json.loads(raw)) if raw else None

    async def all(self, meeting_id: int) -> list[tuple[Peer, float]]:
        peers, seen = self._keys(meeting_id)
        async with self._client().pipeline(transaction=False) as pipe:
            pipe.hgetall(peers)
            pipe.hgetall(seen)
            raw_peers, raw_seen = await pipe.execute()
        return [
            (Peer(**json.loads(raw)), float(raw_seen.get(peer_id, 0)))
            for peer_id, raw in raw_peers.items()
        ]

    async def touch(self, meeting_id: int, peer_ids: list[str], *, now: float) -> None:
        peers, seen = self._keys(meeting_id)
        async with self._client().pipeline(transaction=False) as pipe:
            pipe.hset(seen, mapping=dict.fromkeys(peer_ids, repr(now)))
            pipe.expire(peers, self._ttl())
            pipe.expire(seen, self._ttl())
            await pipe.execute()

    async def remove(self, meeting_id: int, peer_id: str) -> bool:
        peers, seen = self._keys(meeting_id)
        async with self._client().pipeline(transaction=True) as pipe:
            pipe.hdel(peers, peer_id)
            pipe.hdel(seen, peer_id)
            removed, _ = await pipe.execute()
        return bool(removed)


_stores: dict[str, PresenceStore] = {}


# id(CHANNEL_LAYERS setting) -> (that setting, its Redis target): parsed once per settings object.
_targets: dict[int, tuple[Any, tuple[str, str] | None]] = {}


def get_store() -> PresenceStore:
    """Return the store that matches the default channel layer's reach (one per configuration).

    Called for every relayed frame: the setting is parsed once per settings object, not on each
    call (tests that change CHANNEL_LAYERS assign a new object, hence a new resolution).
    """
    layers = settings.CHANNEL_LAYERS
    resolved = _targets.get(id(layers))
    if resolved is None or resolved[0] is not layers:
        resolved = _targets[id(layers)] = (layers, redis_layer_target())
    target = resolved[1]
    if target is not None:
        address, prefix = target
        cache_key = f"redis|{address}|{prefix}"
        if cache_key not in _stores:
            _stores[cache_key] = RedisPresenceStore(address=address, prefix=f"{prefix}:presence")
        return _stores[cache_key]
    if "local" not in _stores:
        _stores["local"] = LocalPresenceStore()
    return _stores["local"]


# Room-level operations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Expired:
    """Peers removed by a sweep: their `user-left` still has to be announced."""

    peers: list[Peer]

    @property
    def peer_ids(self) -> list[str]:
        return [peer.peer_id for peer in self.peers]


def _is_expired(peer: Peer, last_seen: float, now: float) -> bool:
    if now - last_seen > conf.presence_ttl_seconds():
        return True  # its process stopped refreshing it (crashed or cut off)
    return (not peer.connected) and now - peer.gone_at > conf.resume_grace_seconds()


async def sweep(meeting_id: int, *, now: float | None = None) -> tuple[list[Peer], Expired]:
    """Drop expired entries; return the peers still present and the ids just removed."""
    store = get_store()
    now = time.time() if now is None else now
    present: list[Peer] = []
    expired: list[Peer] = []
    for peer, last_seen in await store.all(meeting_id):
        if _is_expired(peer, last_seen, now):
            if await store.remove(meeting_id, peer.peer_id):
                expired.append(peer)
        else:
            present.append(peer)
    return present, Expired(expired)


async def enter(
    meeting_id: int, peer: Peer, *, resume: str | None
) -> tuple[Peer, bool, list[Peer], Expired, str]:
    """Add the peer to the room, taking over `resume`'s entry when it is the same user's.

    The entry is written before the room is listed, so of two peers joining at once at least
    one sees the other in its `welcome`.
    Return (the peer as stored, whether it resumed, the others present, the expired peers, the
    channel of the replaced connection if it was still open — it must be told to close).
    """
    store = get_store()
    now = time.time()
    resumed = False
    old_channel = ""
    if resume:
        old = await store.get(meeting_id, resume)
        if old is not None and old.user_id == peer.user_id:
            peer = replace(peer, peer_id=old.peer_id)
            old_channel = old.channel if old.channel != peer.channel else ""
            resumed = True
    peer = replace(peer, gone_at=0.0)
    await store.put(meeting_id, peer, now=now)
    present, expired = await sweep(meeting_id, now=now)
    others = [p for p in present if p.peer_id != peer.peer_id]
    return peer, resumed, others, expired, old_channel


async def lookup(meeting_id: int, peer_id: str) -> Peer | None:
    return await get_store().get(meeting_id, peer_id)


async def touch(meeting_id: int, *peer_ids: str) -> None:
    """Refresh the peers' `last_seen` (one round trip for all of them)."""
    if peer_ids:
        await get_store().touch(meeting_id, list(peer_ids), now=time.time())


async def leave(meeting_id: int, peer_id: str) -> bool:
    """Remove the peer at once; return False if it was already gone."""
    return await get_store().remove(meeting_id, peer_id)


async def release(meeting_id: int, peer: Peer) -> bool:
    """Remove the entry at once if it is still as `peer` saw it (the same socket, or the same
    dropped one), not taken over by a socket that resumed it; return True if removed."""
    store = get_store()
    current = await store.get(meeting_id, peer.peer_id)
    if current is None or current.channel != peer.channel:
        return False
    return await store.remove(meeting_id, peer.peer_id)


async def drop(meeting_id: int, peer: Peer) -> bool:
    """Keep a dropped socket's entry for the reconnect grace, unless another socket took it over.

    Return False when the entry no longer belongs to this connection.
    """
    store = get_store()
    current = await store.get(meeting_id, peer.peer_id)
    if current is None or current.channel != peer.channel:
        return False
    now = time.time()
    await store.put(meeting_id, replace(current, channel="", gone_at=now), now=now)
    return True


async def release_if_still_gone(meeting_id: int, peer: Peer) -> bool:
    """After the grace: remove the entry if nobody resumed it; return True if removed."""
    store = get_store()
    current = await store.get(meeting_id, peer.peer_id)
    if current is None or current.connected:
        return False
    return await store.remove(meeting_id, peer.peer_id)
