"""The channel layer of the live room: channels_redis with a faster path between processes.

channels_redis (4.3) keeps every channel of a process in one Redis sorted set, its inbox, and
takes messages out of it one at a time, each with four Redis round trips in a row (restore the
in-flight backup, BZPOPMIN, copy to the backup, clear the backup) under a lock. A worker with a
few hundred busy sockets on a loaded machine then drains its inbox more slowly than it fills:
messages older than `expiry` are dropped without a word and senders get `ChannelFull` past
`capacity` (tests/faults/test_soak.py, docs/reliability.md "Soak"). Every `send` costs four more
round trips, even to a socket of the same process.

`RoomChannelLayer` keeps channels_redis's groups (sorted sets in Redis) and its message format,
and moves messages for the channels that `new_channel()` makes ("specific.<process>!<id>", one
per socket) like this:

- A message for a channel of this same process goes straight into that channel's queue in
  memory, with no Redis round trip and no serialization.
- A message for another process is one `PUBLISH` to that process's Redis Pub/Sub channel (its
  `client_prefix`), written on a connection in `CLIENT REPLY OFF` mode: the sender writes and
  goes on, with no reply to wait for. A group send is one `ZRANGE` plus one `PUBLISH` per other
  process, carrying the list of its channels.
- Each process holds one subscribed connection and reads every message for it from there into
  a queue per channel. `new_channel()` returns only once that subscription is active, so a
  channel name is never known to anybody before its messages can arrive.

The sorted-set inbox cost a process 2-3 Redis round trips per message it received and its
sender one more (~600 µs of CPU across the two processes and Redis per message on this
machine); Pub/Sub costs one write and one read (docs/benchmarks.md "Signaling relay", fix 8).
What Pub/Sub does not do is keep a message for a process that is not subscribed: a message for
a process that has stopped is dropped by Redis instead of expiring in its inbox, which is the
same for the sockets it held (they are gone). When the subscription fails (Redis restarting),
every receiver of the process gets the error, as with channels_redis: the sockets close and the
browsers reconnect.

Capacity holds per channel in the receiving process: a direct `send` to a full queue of this
process raises `ChannelFull` (the consumer answers the sender an `error` frame); a message from
another process that finds its queue full is dropped and logged. Channels not made by
`new_channel()` (no "!") keep channels_redis's own inbox and semantics.

Why not channels_redis's own `RedisPubSubChannelLayer` (`CLASSMEET_CHANNEL_LAYER=pubsub`,
compared in docs/benchmarks.md, "RedisPubSubChannelLayer against ours"): in bench/relay.py at
1,000 sockets and 1,000 msg/s on a quiet machine, two rounds interleaved with this layer at 1 and
2 processes, it took 1.5 to 2.2 times the CPU per relayed message and had 1.8 to 9 times the p99
in every pair (the rule was: within 20 % on both). Every send awaits its `PUBLISH` reply under
one lock per process, a send to the same process crosses Redis too, its queues have no capacity,
and a lost subscription leaves the sockets open while their messages are lost, where this layer
closes them so that browsers rejoin.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import time
from collections import defaultdict
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)


class _Failed:
    """Put in a queue when the subscription failed: its receiver raises `error`."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Inbox:
    """The queue of one channel of this process, and since when nobody waits on it."""

    __slots__ = ("abandoned_at", "queue")

    def __init__(self, capacity: int, abandoned_at: float | None) -> None:
        self.queue: asyncio.Queue[dict[str, Any] | _Failed] = asyncio.Queue(capacity)
        self.abandoned_at = abandoned_at


def _closed(connection: AbstractConnection) -> bool:
    """Whether Redis closed this write-only connection (killed, restarting): nothing is ever
    read from it, so its stream reader only ever holds that end of file."""
    reader = getattr(connection, "_reader", None)
    return not connection.is_connected or reader is None or reader.at_eof()


class RoomChannelLayer(RedisChannelLayer):
    # Set by RedisChannelLayer.__init__ (channels_redis ships no type hints).
    prefix: str
    client_prefix: str
    capacity: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Channels made by new_channel() ("specific.<client prefix>!<id>") are this process's.
        self.local_prefix = f"specific.{self.client_prefix}!"
        self._inboxes: dict[str, _Inbox] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader: asyncio.Task[None] | None = None
        self._subscribed: asyncio.Future[None] | None = None
        self._publishers: dict[int, asyncio.Task[AbstractConnection]] = {}
        self._swept_at = time.monotonic()

    def topic(self, process: str) -> str:
        """The Pub/Sub channel of a process (`process`: its "specific.<client prefix>!")."""
        return self.prefix + process

    async def new_channel(self, prefix: str = "specific") -> str:
        if prefix == "specific":
            await self._subscribe()
        channel: str = await super().new_channel(prefix)
        return channel

    # Receiving ----------------------------------------------------------------------------------

    async def receive(self, channel: str) -> dict[str, Any]:
        if not channel.startswith(self.local_prefix):
            return dict(await super().receive(channel))
        await self._subscribe()
        inbox = self._inbox(channel, abandoned_at=None)
        inbox.abandoned_at = None
        try:
            item = await inbox.queue.get()
        except asyncio.CancelledError:
            inbox.abandoned_at = time.monotonic()  # the consumer is gone (or gave up waiting)
            raise
        if isinstance(item, _Failed):
            self._inboxes.pop(channel, None)
            raise item.error
        return item

    async def _subscribe(self) -> None:
        """Start this process's subscription unless it runs; return once it is active."""
        loop = asyncio.get_running_loop()
        subscribed = self._subscribed
        if subscribed is None or self._loop is not loop or not self._reader_alive():
            if self._loop is not loop:
                if self._loop is not None and not self._loop.is_closed() and self._reader_alive():
                    raise RuntimeError("Two event loops are trying to receive() on one layer")
                # A new event loop (a test after another): the old loop's queues are unusable.
                self._loop, self._inboxes, self._publishers = loop, {}, {}
            subscribed = self._subscribed = loop.create_future()
            self._reader = loop.create_task(self._read(subscribed))
        if not subscribed.done():
            await asyncio.shield(subscribed)
        subscribed.result()  # raises why the subscription failed

    def _reader_alive(self) -> bool:
        return self._reader is not None and not self._reader.done()

    def _inbox(self, channel: str, *, abandoned_at: float | None) -> _Inbox:
        inbox = self._inboxes.get(channel)
        if inbox is None:
            inbox = self._inboxes[channel] = _Inbox(self.capacity, abandoned_at)
        return inbox

    def _connection(self, index: int, role: str) -> AbstractConnection:
        """A connection of its own (not from the shared pool), named for CLIENT LIST, whose reads
        block without a timeout (redis-py 8 would otherwise give up after 5 idle seconds)."""
        connection: AbstractConnection = self.create_pool(index).make_connection()
        connection.socket_timeout = None
        connection.client_name = f"{self.prefix}:{role}:{self.client_prefix}"
        return connection

    async def _read(self, subscribed: asyncio.Future[None]) -> None:
        connection = self._connection(self.consistent_hash(self.local_prefix), "sub")
        try:
            await connection.connect()
            await connection.send_command("SUBSCRIBE", self.topic(self.local_prefix))
            await connection.read_response(timeout=math.inf, push_request=True)
            subscribed.set_result(None)
            while True:
                reply = await connection.read_response(timeout=math.inf, push_request=True)
                if isinstance(reply, list) and len(reply) == 3 and reply[0] == b"message":
                    self._unpack(reply[2])
                self._sweep()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("channel layer subscription failed: %r", error)
            if not subscribed.done():
                subscribed.set_exception(error)
            self._fail(error)
        finally:
            subscribed.cancel()  # no-op once set; wakes waiters if the reader was cancelled
            with contextlib.suppress(Exception):
                await connection.disconnect(nowait=True)

    def _unpack(self, member: bytes) -> None:
        try:
            message = self.deserialize(member)
        except Exception:
            logger.exception("undecodable channel layer message dropped")
            return
        channels = message.pop("__asgi_channel__", None)
        if isinstance(channels, str):
            channels = [channels]
        for channel in channels or ():
            self._deliver(channel, message if len(channels) == 1 else dict(message), strict=False)

    def _deliver(self, channel: str, message: dict[str, Any], *, strict: bool) -> None:
        # A channel nobody receives yet gets a queue that the sweep drops after `expiry`.
        inbox = self._inbox(channel, abandoned_at=time.monotonic())
        try:
            inbox.queue.put_nowait(message)
        except asyncio.QueueFull:
            if strict:
                raise ChannelFull(channel) from None
            logger.warning(
                "channel %s is full (%s queued): message dropped", channel, self.capacity
            )

    def _sweep(self) -> None:
        """Forget the queues of channels nobody has waited on for `expiry` seconds."""
        now = time.monotonic()
        if now - self._swept_at < min(self.expiry, 10):
            return
        self._swept_at = now
        stale = [
            channel
            for channel, inbox in self._inboxes.items()
            if inbox.abandoned_at is not None and now - inbox.abandoned_at > self.expiry
        ]
        for channel in stale:
            del self._inboxes[channel]

    def _fail(self, error: BaseException) -> None:
        now = time.monotonic()
        for inbox in self._inboxes.values():
            with contextlib.suppress(asyncio.QueueEmpty):
                if inbox.queue.full():
                    inbox.queue.get_nowait()
            inbox.queue.put_nowait(_Failed(error))
            if inbox.abandoned_at is None:
                inbox.abandoned_at = now

    # Sending ------------------------------------------------------------------------------------

    def _deliver_here(self, channel: str, message: dict[str, Any], *, strict: bool) -> bool:
        """Put a message for a channel of this process in its queue; False if it must go by Redis.

        From the receiving event loop it goes in at once (so `strict` can refuse it); from another
        loop of this process (async_to_sync in a thread) it is handed to the receiving loop.
        """
        loop = self._loop
        if loop is None or loop.is_closed():
            return False
        if loop is asyncio.get_running_loop():
            self._deliver(channel, message, strict=strict)
        else:
            loop.call_soon_threadsafe(
                functools.partial(self._deliver, strict=False), channel, message
            )
        return True

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        if not isinstance(message, dict) or "__asgi_channel__" in message:
            raise TypeError("a message is a dict without __asgi_channel__")
        if channel.startswith(self.local_prefix) and self._deliver_here(
            channel, dict(message), strict=True
        ):
            return
        if "!" not in channel:
            await super().send(channel, message)
            return
        self.require_valid_channel_name(channel)  # raises TypeError when it is not
        process = self.non_local_name(channel)
        await self._publish(process, {**message, "__asgi_channel__": channel})

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.require_valid_group_name(group)
        key = self._group_key(group)
        connection = self.connection(self.consistent_hash(group))
        async with connection.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(key, min=0, max=int(time.time()) - self.group_expiry)
            pipe.zrange(key, 0, -1)
            _removed, members = await pipe.execute()
        by_process: defaultdict[str, list[str]] = defaultdict(list)
        for member in members:
            channel = member.decode()
            if not (
                channel.startswith(self.local_prefix)
                and self._deliver_here(channel, dict(message), strict=False)
            ):
                by_process[self.non_local_name(channel)].append(channel)
        for process, channels in by_process.items():
            await self._publish(process, {**message, "__asgi_channel__": channels})

    async def _publish(self, process: str, message: dict[str, Any]) -> None:
        """Publish a message to the process whose channels start with `process`."""
        index = self.consistent_hash(process)
        payload = self.serialize(message)
        if self._loop is not asyncio.get_running_loop():
            # Another event loop of this process (async_to_sync from a view or a Celery task):
            # channels_redis's pooled client, which waits for Redis's answer.
            await self.connection(index).publish(self.topic(process), payload)
            return
        for attempt in (1, 2):
            connection = await self._publisher(index)
            try:
                await connection.send_packed_command(
                    connection.pack_command("PUBLISH", self.topic(process), payload),
                    check_health=False,
                )
                return
            except (RedisConnectionError, OSError):
                self._publishers.pop(index, None)  # Redis restarted: connect again, once
                if attempt == 2:
                    raise

    async def _publisher(self, index: int) -> AbstractConnection:
        task = self._publishers.get(index)
        if task is None or (task.done() and (task.exception() or _closed(task.result()))):
            task = self._publishers[index] = asyncio.ensure_future(self._connect_publisher(index))
        return await asyncio.shield(task)

    async def _connect_publisher(self, index: int) -> AbstractConnection:
        connection = self._connection(index, "pub")
        await connection.connect()  # authenticates, selects the database: replies are read
        await connection.send_command("CLIENT", "REPLY", "OFF")  # from here on, nothing comes back
        return connection

    async def close_pools(self) -> None:
        """Also stop this process's subscription and close its publishing connections."""
        if self._reader is not None and self._loop is asyncio.get_running_loop():
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
            publishers, self._publishers = list(self._publishers.values()), {}
            for task in publishers:
                if task.done() and not task.exception():
                    await task.result().disconnect()
                else:
                    task.cancel()
        await super().close_pools()


class InProcessChannelLayer(InMemoryChannelLayer):
    """channels' in-memory layer (one process, no Redis) that cleans up once a second.

    `InMemoryChannelLayer.receive` walks every channel and every group member to drop expired
    messages on every call: with 1,000 sockets each relayed frame cost a walk over ~2,000 entries
    and the process could not keep up (docs/benchmarks.md "Signaling relay"). Expiry is counted in
    seconds (`expiry`, 60 by default), so once a second finds the same expired messages.
    """

    _cleaned_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at >= 1.0:
            self._cleaned_at = now
            super()._clean_expired()
