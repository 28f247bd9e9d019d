"""The bus wakes up whoever holds a stream. It carries no truth: the event log does.

The in-process bus is the default. `redis_bus.RedisBus` lets several nodes wake each other
and implements the same `Bus` protocol; being at-most-once is fine since clients resume from
the log. See docs/subsystems/bus.md.

The contract with the reader of a `Subscription` (`Wire.pump`):

- `get()` returns the next frame. Frames with a `seq` belong to a stream and come in order
  unless some were lost; frames without one are signals.
- `lagging` set means frames may have been lost (the subscriber's buffer overflowed, or the
  node's Redis connection came back and missed wake-ups meanwhile). The reader clears it and
  resumes its stream from the log.
- A subscription marked lagging while its buffer is empty gets the resync frame
  `{"type": "_resync", "seq": 0}` so a reader blocked in `get()` wakes up. It is not for
  the client: the reader resumes from the log and drops it (`is_resync`). Its `seq` of 0 is
  never after any cursor, so a reader that drops already-seen seqs drops it too.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Iterable
from typing import Any, Protocol

Frame = dict[str, Any]

SUBSCRIBER_BUFFER = 1000
"""Frames one subscription holds before it overflows and is marked lagging."""

RESYNC_TYPE = "_resync"


def resync_frame() -> Frame:
    """The frame that wakes a reader to resume from the log (never sent to a client)."""
    return {"type": RESYNC_TYPE, "seq": 0}


def is_resync(frame: Frame) -> bool:
    return frame.get("type") == RESYNC_TYPE


class Unsubscriber(Protocol):
    def unsubscribe(self, subscription: Subscription) -> None: ...


class Subscription:
    """Frames for one listener. Overflow marks it lagging so it resumes from the log.

    An idle customer's socket holds one for hours, so it is small: no `asyncio.Queue` (three
    deques and an event, ~2.5 KB), but a deque made when a frame comes and dropped once read,
    and one future while its one reader (`get`) waits. `queue` is kept for readers that look
    without waiting (`get_nowait`, `empty`, `qsize`): it is the subscription itself.
    """

    __slots__ = ("_bus", "_frames", "_waiter", "channels", "lagging")

    def __init__(self, bus: Unsubscriber, channels: set[str]) -> None:
        self._bus = bus
        self.channels = channels
        self._frames: deque[Frame] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self.lagging = False

    @property
    def queue(self) -> Subscription:
        return self

    def qsize(self) -> int:
        return len(self._frames) if self._frames is not None else 0

    def empty(self) -> bool:
        return not self._frames

    def put_nowait(self, frame: Frame) -> None:
        """Buffer `frame` (asyncio.QueueFull past SUBSCRIBER_BUFFER) and wake the reader."""
        frames = self._frames
        if frames is None:
            frames = self._frames = deque()
        elif len(frames) >= SUBSCRIBER_BUFFER:
            raise asyncio.QueueFull
        frames.append(frame)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def get_nowait(self) -> Frame:
        frames = self._frames
        if not frames:
            raise asyncio.QueueEmpty
        frame = frames.popleft()
        if not frames:
            self._frames = None  # an idle subscription keeps no buffer
        return frame

    def deliver(self, frame: Frame) -> bool:
        """Queue `frame`; False if the buffer is full (then the subscription is lagging)."""
        try:
            self.put_nowait(frame)
        except asyncio.QueueFull:
            self.lagging = True
            return False
        return True

    def mark_lagging(self) -> None:
        """Frames may have been lost: make the reader resume from the log, waking it if idle."""
        self.lagging = True
        if self.empty():  # a reader may be blocked in get(); a full one is awake anyway
            self.put_nowait(resync_frame())

    async def get(self) -> Frame:
        """The next frame, waiting for one if need be (one reader at a time)."""
        while not self._frames:
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None
        return self.get_nowait()

    def close(self) -> None:
        self._bus.unsubscribe(self)


class Bus(Protocol):
    def publish(self, channel: str, frame: Frame) -> None: ...
    def subscribe(self, channels: set[str]) -> Subscription: ...
    def listeners(self, channel: str) -> int: ...
    async def start(self) -> None: ...
    async def close(self) -> None: ...
    @property
    def healthy(self) -> bool: ...
    def status(self) -> dict[str, Any]: ...


class LocalListeners:
    """This node's subscriptions by channel. Both buses keep theirs here."""

    def __init__(self) -> None:
        self._by_channel: dict[str, set[Subscription]] = defaultdict(set)

    def add(self, subscription: Subscription) -> list[str]:
        """Register it; returns the channels that had no local listener before."""
        fresh = []
        for channel in subscription.channels:
            listeners = self._by_channel[channel]
            if not listeners:
                fresh.append(channel)
            listeners.add(subscription)
        return fresh

    def remove(self, subscription: Subscription) -> list[str]:
        """Unregister it (twice is harmless); returns the channels left with no listener."""
        emptied = []
        for channel in subscription.channels:
            listeners = self._by_channel.get(channel)
            if listeners is None or subscription not in listeners:
                continue
            listeners.discard(subscription)
            if not listeners:
                del self._by_channel[channel]
                emptied.append(channel)
        return emptied

    def deliver(self, channel: str, frame: Frame) -> int:
        """Hand `frame` to every local listener of `channel`; returns how many there were."""
        listeners = tuple(self._by_channel.get(channel, ()))
        for subscription in listeners:
            subscription.deliver(frame)
        return len(listeners)

    def count(self, channel: str) -> int:
        return len(self._by_channel.get(channel, ()))

    def channels(self) -> set[str]:
        return set(self._by_channel)

    def on(self, channel: str) -> tuple[Subscription, ...]:
        return tuple(self._by_channel.get(channel, ()))

    def everyone(self) -> set[Subscription]:
        return {s for listeners in self._by_channel.values() for s in listeners}


def mark_lagging(subscriptions: Iterable[Subscription]) -> int:
    count = 0
    for subscription in subscriptions:
        subscription.mark_lagging()
        count += 1
    return count


class InProcessBus:
    """One node: publishing hands the frame to this process's subscribers at once."""

    def __init__(self) -> None:
        self._local = LocalListeners()

    async def start(self) -> None:
        """Nothing to start; here so callers treat every bus alike."""

    async def close(self) -> None:
        """Nothing to close; here so callers treat every bus alike."""

    def publish(self, channel: str, frame: Frame) -> None:
        self._local.deliver(channel, frame)

    def subscribe(self, channels: set[str]) -> Subscription:
        subscription = Subscription(self, set(channels))
        self._local.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._local.remove(subscription)

    def listeners(self, channel: str) -> int:
        return self._local.count(channel)

    @property
    def healthy(self) -> bool:
        return True

    def status(self) -> dict[str, Any]:
        return {"kind": "in-process", "healthy": True, "channels": len(self._local.channels())}
