"""The channel layer of the live room: channels_redis with a faster inbox per process.

channels_redis (4.3) keeps every channel of a process in one Redis sorted set, its inbox, and
takes messages out of it one at a time, each with four Redis round trips in a row (restore the
in-flight backup, BZPOPMIN, copy to the backup, clear the backup) under a lock. A worker with a
few hundred busy sockets on a loaded machine then drains its inbox more slowly than it fills:
messages older than `expiry` are dropped without a word and senders get `ChannelFull` past
`capacity` (tests/faults/test_soak.py, docs/reliability.md "Soak"). Every `send` costs four more
round trips, even to a socket of the same process.

`RoomChannelLayer` keeps channels_redis's keys, groups and wire format and changes three things:

- One reader task per process drains the inbox in batches (ZPOPMIN of up to `batch` messages in
  one round trip; BZPOPMIN only while it is empty) into a queue per channel. No consumer ever
  cancels it, so nothing it popped can be lost on the way and the backup set is not needed. When
  Redis fails, every receiver of the process gets the error, as with channels_redis: the sockets
  close and the browsers reconnect.
- A message for a channel of this same process goes straight into that channel's queue, with no
  Redis round trip. Order per sender and receiver holds: a channel is always reached the same
  way, and a local queue is FIFO like the sorted set.
- A message for another process is one EVAL (drop expired, check capacity, add, expire) instead
  of four commands; a group send is one pipeline plus one EVAL per other process.

A full queue refuses a direct `send` with `ChannelFull` (the consumer then answers the sender an
`error` frame); the layer never drops a message that it has accepted without logging it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer

logger = logging.getLogger(__name__)

# KEYS[1]: the inbox; ARGV: message, now, oldest score kept, expiry, capacity.
_SEND = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[3])
if redis.call('ZCOUNT', KEYS[1], '-inf', '+inf') >= tonumber(ARGV[5]) then
    return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""

# KEYS: inboxes; ARGV: one message per inbox, one capacity per inbox, now, oldest kept, expiry.
_GROUP_SEND = """
local n = #KEYS
local now, oldest, expiry = ARGV[2 * n + 1], ARGV[2 * n + 2], ARGV[2 * n + 3]
local over = 0
for i = 1, n do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, oldest)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[n + i]) then
        redis.call('ZADD', KEYS[i], now, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over = over + 1
    end
end
return over
"""


class _Failed:
    """Put in a queue when the reader failed: its receiver raises `error`."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Inbox:
    """The queue of one channel of this process, and since when nobody waits on it."""

    __slots__ = ("abandoned_at", "queue")

    def __init__(self, capacity: int, abandoned_at: float | None) -> None:
        self.queue: asyncio.Queue[dict[str, Any] | _Failed] = asyncio.Queue(capacity)
        self.abandoned_at = abandoned_at


class RoomChannelLayer(RedisChannelLayer):
    batch = 200

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Channels made by new_channel() ("specific.<client prefix>!<id>") are this process's.
        self.local_prefix = f"specific.{self.client_prefix}!"
        self._inboxes: dict[str, _Inbox] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader: asyncio.Task[None] | None = None
        self._swept_at = time.monotonic()

    # Receiving ----------------------------------------------------------------------------------

    async def receive(self, channel: str) -> dict[str, Any]:
        if not channel.startswith(self.local_prefix):
            return dict(await super().receive(channel))
        self._start_reader()
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

    def _start_reader(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None and not self._loop.is_closed() and self._reader_alive():
                raise RuntimeError("Two event loops are trying to receive() on one layer at once")
            # A new event loop (a test after another): the old loop's queues are unusable.
            self._loop, self._inboxes, self._reader = loop, {}, None
        if not self._reader_alive():
            self._reader = loop.create_task(self._read())

    def _reader_alive(self) -> bool:
        return self._reader is not None and not self._reader.done()

    def _inbox(self, channel: str, *, abandoned_at: float | None) -> _Inbox:
        inbox = self._inboxes.get(channel)
        if inbox is None:
            inbox = self._inboxes[channel] = _Inbox(self.capacity, abandoned_at)
        return inbox

    async def _read(self) -> None:
        key = self.prefix + self.local_prefix
        index = self.consistent_hash(self.local_prefix)
        try:
            while True:
                connection = self.connection(index)
                popped = await connection.zpopmin(key, self.batch)
                if not popped:
                    got = await connection.bzpopmin(key, timeout=self.brpop_timeout)
                    popped = [] if got is None else [(got[1], got[2])]
                for member, _score in popped:
                    self._unpack(member)
                self._sweep()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("channel layer inbox failed: %r", error)
            self._fail(error)

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
        non_local = self.non_local_name(channel)
        now = time.time()
        added = await self.connection(self.consistent_hash(non_local)).eval(
            _SEND,
            1,
            self.prefix + non_local,
            self.serialize({**message, "__asgi_channel__": channel}),
            now,
            int(now) - int(self.expiry),
            int(self.expiry),
            self.get_capacity(channel),
        )
        if not added:
            raise ChannelFull(channel)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.require_valid_group_name(group)
        key = self._group_key(group)
        connection = self.connection(self.consistent_hash(group))
        async with connection.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(key, min=0, max=int(time.time()) - self.group_expiry)
            pipe.zrange(key, 0, -1)
            _removed, members = await pipe.execute()
        others = []
        for member in members:
            channel = member.decode()
            if not (
                channel.startswith(self.local_prefix)
                and self._deliver_here(channel, dict(message), strict=False)
            ):
                others.append(channel)
        if not others:
            return
        by_connection, messages, capacities = self._map_channel_keys_to_connection(others, message)
        now = time.time()
        for index, keys in by_connection.items():
            over = await self.connection(index).eval(
                _GROUP_SEND,
                len(keys),
                *keys,
                *(messages[k] for k in keys),
                *(capacities[k] for k in keys),
                now,
                int(now) - int(self.expiry),
                int(self.expiry),
            )
            if over:
                logger.warning("%s inboxes full in group %s: message dropped for them", over, group)


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
