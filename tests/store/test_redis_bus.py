"""The Redis bus against the real Redis at 127.0.0.1:6379: two buses are two nodes.

Each test has its own channel prefix, so runs side by side do not hear each other. Nothing
sleeps to assert: `until` waits for a condition with a bounded guard.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from tapline.store import redis_bus
from tapline.store.bus import Frame, Subscription, is_resync
from tapline.store.redis_bus import RedisBus

REDIS_URL = os.environ.get("TAPLINE_TEST_REDIS", "redis://127.0.0.1:6379/0")
GUARD = 10.0  # seconds any condition may take before the test fails

Nodes = Callable[..., RedisBus]


async def until(condition: Callable[[], object], what: str) -> None:
    """Wait until `condition()` holds; fail naming `what` after GUARD seconds."""
    deadline = asyncio.get_running_loop().time() + GUARD
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out: {what}"
        await asyncio.sleep(0.005)


async def next_frame(subscription: Subscription) -> Frame:
    async with asyncio.timeout(GUARD):
        return await subscription.get()


async def ready(subscription: Subscription) -> None:
    """Redis confirmed the SUBSCRIBE: the subscription was woken to read the log."""
    assert is_resync(await next_frame(subscription))
    assert subscription.lagging
    subscription.lagging = False  # what Wire.pump does before resuming from the log


@pytest.fixture
async def admin() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    await client.ping()  # no Redis is a failure, never a skip
    yield client
    await client.aclose()


@pytest.fixture
async def node() -> AsyncIterator[Nodes]:
    """Makes started buses on this test's own prefix; closes them all afterwards."""
    prefix = f"tapline-test-{secrets.token_hex(4)}:"
    buses: list[RedisBus] = []

    def make(name: str, *, start: bool = True, **options: Any) -> RedisBus:
        bus = RedisBus(options.pop("url", REDIS_URL), f"{name}-{prefix}", prefix=prefix, **options)
        buses.append(bus)
        return bus

    yield make
    for bus in buses:
        await bus.close()


async def started(*buses: RedisBus) -> None:
    for bus in buses:
        await bus.start()
    await until(lambda: all(bus.healthy for bus in buses), "the buses are connected")


async def client_ids(admin: Redis, bus: RedisBus, role: str) -> list[str]:
    """The ids of the bus's Redis connections for `role`: "sub" or "pub"."""
    clients = await admin.client_list()
    return [str(c["id"]) for c in clients if c.get("name") == f"tapline-bus:{bus.node_id}:{role}"]


async def test_a_frame_reaches_the_other_node_and_this_node_exactly_once(node: Nodes) -> None:
    a, b = node("a"), node("b")
    await started(a, b)
    here, there = a.subscribe({"customer:r1"}), b.subscribe({"customer:r1"})
    await ready(here)
    await ready(there)

    a.publish("customer:r1", {"seq": 1, "type": "message"})
    a.publish("customer:r1", {"seq": 2, "type": "message"})
    assert here.queue.qsize() == 2  # locally at once, before Redis

    assert await next_frame(there) == {"seq": 1, "type": "message"}
    assert await next_frame(there) == {"seq": 2, "type": "message"}
    await until(lambda: a.counters.echoes == 2, "A heard its own two frames come back")
    await until(lambda: b.counters.echoes == 0 and b.counters.received == 2, "B got two")
    assert [here.queue.get_nowait() for _ in range(2)] == [
        {"seq": 1, "type": "message"},
        {"seq": 2, "type": "message"},
    ]
    assert here.queue.empty() and there.queue.empty()  # the echoes were not delivered
    await until(lambda: a.counters.published == 2, "A's pipeline answered")
    assert a.counters.delivered == 2
    assert b.counters.delivered == 2


async def test_listeners_counts_this_node_only(node: Nodes) -> None:
    a, b = node("a"), node("b")
    await started(a, b)
    first = a.subscribe({"queues", "customer:r1"})
    a.subscribe({"queues"})
    b.subscribe({"queues"})
    assert (a.listeners("queues"), a.listeners("customer:r1"), b.listeners("customer:r1")) == (
        2,
        1,
        0,
    )
    first.close()
    assert (a.listeners("queues"), a.listeners("customer:r1")) == (1, 0)


async def test_redis_subscriptions_follow_the_local_ones(node: Nodes, admin: Redis) -> None:
    a, b = node("a"), node("b")
    await started(a, b)
    channel = b.prefix + "specialist:s1"

    async def redis_listeners() -> int:
        counts = await admin.pubsub_numsub(channel)
        return int(counts[0][1])

    one, two = b.subscribe({"specialist:s1"}), b.subscribe({"specialist:s1"})
    await ready(one)
    assert await redis_listeners() == 1  # one SUBSCRIBE for the node, not one per listener
    one.close()
    assert await redis_listeners() == 1  # still one local listener
    two.close()
    deadline = asyncio.get_running_loop().time() + GUARD
    while await redis_listeners() != 0:
        assert asyncio.get_running_loop().time() < deadline, "B unsubscribed in Redis"
        await asyncio.sleep(0.005)

    a.publish("specialist:s1", {"seq": 1, "type": "offer"})
    await until(lambda: a.counters.published == 1, "A published")
    assert two.queue.qsize() == 1  # only the resync frame from the SUBSCRIBE
    assert b.counters.received == 0


async def test_publishing_where_no_one_listens_is_fine(node: Nodes) -> None:
    a = node("a")
    await started(a)
    a.publish("customer:nobody", {"seq": 1, "type": "message"})
    await until(lambda: a.counters.published == 1, "A published")
    assert a.healthy and a.counters.dropped == 0


async def test_a_killed_subscriber_connection_reconnects_and_resyncs(
    node: Nodes, admin: Redis
) -> None:
    a, b = node("a"), node("b")
    await started(a, b)
    waiting = b.subscribe({"customer:r1"})
    watching = b.subscribe({"wallboard"})
    await ready(waiting)
    await ready(watching)

    [pubsub_id] = await client_ids(admin, b, "sub")
    await admin.client_kill_filter(_id=pubsub_id)

    await until(lambda: b.counters.reconnects == 1, "B reconnected")
    for subscription in (waiting, watching):  # each woken, to refill from the log
        assert is_resync(await next_frame(subscription))
        assert subscription.lagging
        subscription.lagging = False
    await until(lambda: b.healthy, "B is healthy again")

    a.publish("customer:r1", {"seq": 7, "type": "message"})
    frame = await next_frame(waiting)
    while is_resync(frame):  # woken at the drop and again at the new subscription
        frame = await next_frame(waiting)
    assert frame == {"seq": 7, "type": "message"}
    assert b.status()["reconnects"] == 1


async def test_a_killed_publisher_connection_costs_at_most_one_batch(
    node: Nodes, admin: Redis
) -> None:
    a, b = node("a"), node("b")
    await started(a, b)
    there = b.subscribe({"customer:r1"})
    await ready(there)
    a.publish("customer:r1", {"seq": 1, "type": "message"})
    assert (await next_frame(there))["seq"] == 1

    [publisher_id] = await client_ids(admin, a, "pub")
    await admin.client_kill_filter(_id=publisher_id)
    a.publish("customer:r1", {"seq": 2, "type": "message"})
    a.publish("customer:r1", {"seq": 3, "type": "message"})

    await until(lambda: a.counters.published + a.counters.dropped == 3, "both were tried")
    # redis-py finds the dead connection only by using it: the pipeline that met it is
    # dropped, not retried (it may have reached Redis), and B is told to resync
    # customer:r1 from the log instead; what was not in that pipeline flows on.
    assert a.counters.dropped <= 2
    if a.counters.dropped:
        assert is_resync(await next_frame(there))
        assert a.counters.notices == 1  # one notice for the channel, however many frames
    arrived = [2, 3][a.counters.dropped :]
    for seq in arrived:
        assert await next_frame(there) == {"seq": seq, "type": "message"}
    a.publish("customer:r1", {"seq": 4, "type": "message"})
    assert await next_frame(there) == {"seq": 4, "type": "message"}
    assert a.healthy


async def test_a_burst_is_published_in_order_in_few_round_trips(node: Nodes) -> None:
    a, b = node("a"), node("b")
    await started(a, b)
    there = b.subscribe({"customer:r2"})
    await ready(there)
    count = redis_bus.PUBLISH_BATCH * 2 + 5
    for seq in range(1, count + 1):
        a.publish("customer:r2", {"seq": seq, "type": "message"})
    got = [(await next_frame(there))["seq"] for _ in range(count)]
    assert got == list(range(1, count + 1))
    await until(lambda: a.counters.published == count, "every pipeline answered")
    assert a.counters.dropped == 0


async def test_the_publish_queue_is_bounded_and_drops_the_oldest(node: Nodes) -> None:
    a, b = node("a", publish_limit=3), node("b")
    here = a.subscribe({"customer:r1"})
    for seq in range(1, 11):  # not started yet: the frames wait in the queue
        a.publish("customer:r1", {"seq": seq, "type": "message"})
    assert here.queue.qsize() == 10  # local delivery does not wait for Redis
    assert a.status()["queued"] == 3 and a.counters.dropped == 7

    await started(b)
    there = b.subscribe({"customer:r1"})
    await ready(there)
    await started(a)
    # first a resync notice for the channel whose frames were dropped, then what was kept
    assert is_resync(await next_frame(there)) and there.lagging
    assert [(await next_frame(there))["seq"] for _ in range(3)] == [8, 9, 10]
    await until(lambda: a.counters.published == 3, "A's pipeline answered")
    assert a.counters.notices == 1


async def test_drops_on_too_many_channels_resync_every_listener(
    node: Nodes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_bus, "LOST_CHANNELS", 2)
    a, b = node("a", publish_limit=1), node("b")
    for n in range(4):
        a.publish(f"customer:r{n}", {"seq": 1, "type": "message"})
    assert a.counters.dropped == 3
    await started(b)
    elsewhere = b.subscribe({"specialist:s1"})  # none of the channels that lost frames
    await ready(elsewhere)
    await started(a)
    assert is_resync(await next_frame(elsewhere)) and elsewhere.lagging
    assert a.counters.notices == 1  # one notice on the control channel, for everyone


async def test_no_redis_never_raises_and_memory_stays_bounded(node: Nodes) -> None:
    lost = node("lost", url="redis://127.0.0.1:1/0", publish_limit=10)
    await lost.start()
    listener = lost.subscribe({"customer:r1"})
    for seq in range(1, 501):
        lost.publish("customer:r1", {"seq": seq, "type": "message"})
    assert listener.queue.qsize() == 500
    await until(lambda: lost.counters.publish_errors >= 2, "it keeps trying with backoff")
    assert not lost.healthy
    status = lost.status()
    assert status["queued"] <= 10
    assert status["dropped"] + status["queued"] == 500
    assert status["subscribed"] is False and status["published"] == 0
    await lost.close()
    assert lost.status()["queued"] == 0 and lost.counters.dropped == 500


async def test_foreign_messages_are_counted_and_ignored(node: Nodes, admin: Redis) -> None:
    a, b = node("a"), node("b")
    await started(a, b)
    there = b.subscribe({"customer:r1"})
    await ready(there)
    channel = b.prefix + "customer:r1"
    for junk in (
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"frame": {"seq": 1}}',
        b'{"node": "x", "frame": "text"}',
        b"[" * 100_000,
    ):
        await admin.publish(channel, junk)
    a.publish("customer:r1", {"seq": 1, "type": "message"})
    assert await next_frame(there) == {"seq": 1, "type": "message"}
    assert b.counters.ignored == 6
    assert b.healthy and there.queue.empty()


async def test_start_twice_and_close_before_start_are_harmless(node: Nodes) -> None:
    idle = node("idle")
    await idle.close()
    assert not idle.healthy
    a = node("a")
    await started(a)
    await a.start()
    assert a.status()["node"] == a.node_id and a.healthy
    await a.close()
    assert not a.healthy
    a.publish("customer:r1", {"seq": 1})  # after close: local only, nothing queued
    assert a.status()["queued"] == 0
