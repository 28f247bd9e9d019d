"""The in-process bus and the subscription contract both buses share."""

from __future__ import annotations

import asyncio

from tapline.store.bus import SUBSCRIBER_BUFFER, InProcessBus, is_resync, resync_frame


def test_a_frame_reaches_every_listener_of_its_channel_only() -> None:
    bus = InProcessBus()
    one = bus.subscribe({"a", "b"})
    two = bus.subscribe({"a"})
    bus.publish("a", {"type": "x"})
    bus.publish("b", {"type": "y"})
    assert [one.queue.get_nowait(), one.queue.get_nowait()] == [{"type": "x"}, {"type": "y"}]
    assert two.queue.get_nowait() == {"type": "x"}
    assert two.queue.empty()


def test_listeners_counts_subscriptions_per_channel() -> None:
    bus = InProcessBus()
    one = bus.subscribe({"a", "b"})
    bus.subscribe({"a"})
    assert (bus.listeners("a"), bus.listeners("b"), bus.listeners("c")) == (2, 1, 0)
    one.close()
    assert (bus.listeners("a"), bus.listeners("b")) == (1, 0)


def test_overflow_marks_lagging_and_keeps_the_buffer_bounded() -> None:
    bus = InProcessBus()
    listener = bus.subscribe({"s"})
    for n in range(SUBSCRIBER_BUFFER + 50):
        bus.publish("s", {"seq": n + 1})
    assert listener.lagging
    assert listener.queue.qsize() == SUBSCRIBER_BUFFER
    assert listener.queue.get_nowait() == {"seq": 1}  # what fitted is still there, in order


def test_unsubscribe_stops_delivery_and_closing_twice_is_harmless() -> None:
    bus = InProcessBus()
    listener = bus.subscribe({"s"})
    listener.close()
    listener.close()
    bus.publish("s", {"seq": 1})
    assert listener.queue.empty()
    assert bus.listeners("s") == 0
    bus.publish("nobody", {"seq": 1})  # no listener anywhere is fine


async def test_marking_an_idle_subscription_lagging_wakes_its_reader() -> None:
    bus = InProcessBus()
    listener = bus.subscribe({"s"})
    reader = asyncio.create_task(listener.get())
    await asyncio.sleep(0)  # let the reader block on the empty queue
    assert not reader.done()
    listener.mark_lagging()
    frame = await asyncio.wait_for(reader, 5)
    assert is_resync(frame) and listener.lagging


def test_a_busy_subscription_gets_no_resync_frame() -> None:
    """Its reader is awake anyway and sees `lagging` on the next frame."""
    bus = InProcessBus()
    listener = bus.subscribe({"s"})
    bus.publish("s", {"seq": 1})
    listener.mark_lagging()
    assert listener.lagging
    assert listener.queue.qsize() == 1


def test_the_resync_frame_is_never_after_a_cursor() -> None:
    """A reader that drops seqs it has seen drops it, so it never reaches a client."""
    frame = resync_frame()
    assert frame["type"] == "_resync" and frame["seq"] == 0
    assert not is_resync({"type": "message", "seq": 0})


async def test_start_and_close_are_no_ops_and_it_is_always_healthy() -> None:
    bus = InProcessBus()
    await bus.start()
    bus.subscribe({"a"})
    assert bus.healthy
    assert bus.status() == {"kind": "in-process", "healthy": True, "channels": 1}
    await bus.close()
