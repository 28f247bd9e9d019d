"""The bus wakes up whoever holds a stream. It carries no truth: the event log does.

The in-process bus is the default. A Redis bus for several nodes implements the same
`Bus` protocol; being at-most-once is fine since clients resume from the log.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any, Protocol

Frame = dict[str, Any]

SUBSCRIBER_BUFFER = 1000


class Subscription:
    """Frames for one listener. Overflow marks it lagging so it resumes from the log."""

    def __init__(self, bus: InProcessBus, channels: set[str]) -> None:
        self._bus = bus
        self.channels = channels
        self.queue: asyncio.Queue[Frame] = asyncio.Queue(SUBSCRIBER_BUFFER)
        self.lagging = False

    def deliver(self, frame: Frame) -> None:
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.lagging = True

    async def get(self) -> Frame:
        return await self.queue.get()

    def close(self) -> None:
        self._bus.unsubscribe(self)


class Bus(Protocol):
    def publish(self, channel: str, frame: Frame) -> None: ...
    def subscribe(self, channels: set[str]) -> Subscription: ...
    def listeners(self, channel: str) -> int: ...


class InProcessBus:
    def __init__(self) -> None:
        self._listeners: dict[str, set[Subscription]] = defaultdict(set)

    def publish(self, channel: str, frame: Frame) -> None:
        for subscription in tuple(self._listeners.get(channel, ())):
            subscription.deliver(frame)

    def subscribe(self, channels: set[str]) -> Subscription:
        subscription = Subscription(self, set(channels))
        for channel in channels:
            self._listeners[channel].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        for channel in subscription.channels:
            listeners = self._listeners.get(channel)
            if listeners is not None:
                listeners.discard(subscription)
                if not listeners:
                    del self._listeners[channel]

    def listeners(self, channel: str) -> int:
        return len(self._listeners.get(channel, ()))
