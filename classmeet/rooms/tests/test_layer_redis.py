"""The room's channel layer on a real Redis: two layer objects stand for two ASGI processes.

Local channels are served without Redis, other processes' through Redis Pub/Sub, in order, with
groups that span processes; a full queue is refused out loud (or, for a message from another
process, dropped and logged); a lost subscription fails every receiver; a publishing connection
that Redis closed is replaced without losing the message.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from redis.exceptions import ConnectionError as RedisConnectionError

from classmeet.rooms.channel_layers import InProcessChannelLayer, RoomChannelLayer
from classmeet.rooms.tests.conftest import dead_redis_url

pytestmark = pytest.mark.redis


@pytest.fixture
async def layers(redis_url: str) -> AsyncIterator[tuple[RoomChannelLayer, RoomChannelLayer]]:
    prefix = f"test-layer-{uuid.uuid4().hex[:8]}"
    made = [RoomChannelLayer(hosts=[redis_url], prefix=prefix, capacity=50) for _ in range(2)]
    yield made[0], made[1]
    for layer in made:
        await layer.flush()
    client = redis.Redis.from_url(redis_url)
    assert not [key async for key in client.scan_iter(match=f"{prefix}*")]
    await client.aclose()


async def receive_all(layer: RoomChannelLayer, channel: str, count: int) -> list[int]:
    return [(await asyncio.wait_for(layer.receive(channel), 5))["n"] for _ in range(count)]


async def test_a_channel_of_the_same_process_is_served_without_redis(layers, monkeypatch):
    here, _there = layers
    channel = await here.new_channel()
    waiting = asyncio.create_task(here.receive(channel))
    await asyncio.sleep(0)

    def no_redis(message: object) -> None:
        raise AssertionError("a local send was serialized for Redis")

    monkeypatch.setattr(here, "serialize", no_redis)
    for n in range(3):
        await here.send(channel, {"type": "t", "n": n})
    assert (await asyncio.wait_for(waiting, 1))["n"] == 0
    assert await receive_all(here, channel, 2) == [1, 2]


async def test_other_processes_reach_a_channel_through_redis_in_order(layers):
    here, there = layers
    channel = await here.new_channel()
    receiving = asyncio.create_task(receive_all(here, channel, 300))
    await asyncio.sleep(0)
    for n in range(300):  # more than one batch of the reader
        await there.send(channel, {"type": "t", "n": n})
    assert await receiving == list(range(300))


async def test_a_group_spanning_two_processes_gets_each_message_once_in_each_senders_order(layers):
    here, there = layers
    mine = [await here.new_channel() for _ in range(3)]
    theirs = [await there.new_channel() for _ in range(3)]
    for channel in mine:
        await here.group_add("meeting.1", channel)
    for channel in theirs:
        await there.group_add("meeting.1", channel)
    tasks = [asyncio.create_task(receive_all(here, c, 20)) for c in mine] + [
        asyncio.create_task(receive_all(there, c, 20)) for c in theirs
    ]
    await asyncio.sleep(0)
    for n in range(20):
        await (here if n % 2 else there).group_send("meeting.1", {"type": "t", "n": n})
    received = await asyncio.gather(*tasks)
    # Each sender's messages arrive in its order; between two senders there is no order to keep
    # (a local delivery is immediate, a remote one crosses Redis), so 13 may overtake 12.
    for got in received:
        assert sorted(got) == list(range(20))
        assert [n for n in got if n % 2] == list(range(1, 20, 2))
        assert [n for n in got if not n % 2] == list(range(0, 20, 2))
    await here.group_discard("meeting.1", mine[0])
    await there.group_send("meeting.1", {"type": "t", "n": 99})
    assert await receive_all(here, mine[1], 1) == [99]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(here.receive(mine[0]), 0.3)


async def test_a_full_queue_refuses_a_send_out_loud(layers, caplog):
    here, there = layers
    local = await here.new_channel()
    waiting = asyncio.create_task(here.receive(local))
    await asyncio.sleep(0)
    waiting.cancel()  # nobody reads: the queue fills up
    await asyncio.gather(waiting, return_exceptions=True)
    for n in range(50):
        await here.send(local, {"type": "t", "n": n})
    with pytest.raises(ChannelFull):
        await here.send(local, {"type": "t", "n": 50})
    # From another process the sender cannot be told: the receiving process drops and logs it.
    for n in range(51, 53):
        await there.send(local, {"type": "t", "n": n})
    deadline = time.monotonic() + 5
    while caplog.text.count(f"channel {local} is full") < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert caplog.text.count(f"channel {local} is full") == 2
    assert await receive_all(here, local, 50) == list(range(50))


async def test_queues_of_channels_nobody_reads_are_forgotten(layers, monkeypatch):
    here, _there = layers
    monkeypatch.setattr(here, "expiry", 0)
    gone = await here.new_channel()
    waiting = asyncio.create_task(here.receive(gone))
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    await here.send(gone, {"type": "t", "n": 1})
    assert gone in here._inboxes
    here._swept_at = 0
    here._sweep()
    assert gone not in here._inboxes


async def test_without_redis_no_channel_is_made():
    layer = RoomChannelLayer(hosts=[dead_redis_url()], prefix="test-layer-dead")
    with pytest.raises(RedisConnectionError):
        await asyncio.wait_for(layer.new_channel(), 10)


async def _kill_client(redis_url: str, name: str) -> None:
    client = redis.Redis.from_url(redis_url)
    killed = [
        await client.execute_command("CLIENT", "KILL", "ID", entry["id"])
        for entry in await client.client_list()
        if entry["name"] == name
    ]
    await client.aclose()
    assert killed, f"no Redis client named {name}"


async def test_a_lost_subscription_fails_every_receiver_and_the_next_channel_resubscribes(
    layers, redis_url
):
    here, there = layers
    channels = [await here.new_channel() for _ in range(3)]
    receiving = asyncio.gather(*(here.receive(c) for c in channels), return_exceptions=True)
    await asyncio.sleep(0.05)
    await _kill_client(redis_url, f"{here.prefix}:sub:{here.client_prefix}")
    results = await asyncio.wait_for(receiving, 10)
    assert all(isinstance(result, RedisConnectionError) for result in results), results
    fresh = await here.new_channel()
    await there.send(fresh, {"type": "t", "n": 1})
    assert await receive_all(here, fresh, 1) == [1]


async def test_a_publishing_connection_redis_closed_is_replaced_without_losing_the_message(
    layers, redis_url
):
    here, there = layers
    channel = await here.new_channel()
    await there.new_channel()  # `there` receives too, as an ASGI process does: its fast path
    await there.send(channel, {"type": "t", "n": 0})
    assert await receive_all(here, channel, 1) == [0]
    await _kill_client(redis_url, f"{there.prefix}:pub:{there.client_prefix}")
    await asyncio.sleep(0.05)  # Redis's end of file reaches the sender
    for n in range(1, 4):
        await there.send(channel, {"type": "t", "n": n})
    assert await receive_all(here, channel, 3) == [1, 2, 3]


async def test_a_send_from_another_event_loop_of_the_process_is_handed_over(layers):
    """async_to_sync in a thread runs its own loop: the message reaches the receiving one."""
    here, _there = layers
    channel = await here.new_channel()
    waiting = asyncio.create_task(here.receive(channel))
    await asyncio.sleep(0)
    await asyncio.to_thread(asyncio.run, here.send(channel, {"type": "t", "n": 7}))
    assert (await asyncio.wait_for(waiting, 5))["n"] == 7


async def test_the_in_process_layer_cleans_up_once_a_second(monkeypatch):
    """Without Redis: expired messages still go, but not with a walk over everything per receive."""
    layer = InProcessChannelLayer(expiry=1)
    walks: list[int] = []
    original = InMemoryChannelLayer._clean_expired

    def counted(self: InMemoryChannelLayer) -> None:
        walks.append(1)
        original(self)

    monkeypatch.setattr(InMemoryChannelLayer, "_clean_expired", counted)
    stale, live = await layer.new_channel(), await layer.new_channel()
    await layer.send(stale, {"type": "t", "n": 0})
    for n in range(100):
        await layer.send(live, {"type": "t", "n": n})
    assert [(await layer.receive(live))["n"] for _ in range(100)] == list(range(100))
    assert len(walks) == 1
    layer._cleaned_at -= 5  # a few seconds later
    monkeypatch.setattr("time.time", lambda real=time.time: real() + 5)
    await layer.send(live, {"type": "t", "n": 100})
    await layer.receive(live)
    assert len(walks) == 2
    assert stale not in layer.channels  # its message expired
