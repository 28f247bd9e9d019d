"""What one server process holds: settings, database, bus and the engine it drives."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tapline.bus import Bus, InProcessBus
from tapline.engine import Clock, Engine, Presence, SystemClock
from tapline.ratelimit import SignInLimiter
from tapline.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock = field(default_factory=SystemClock)
    bus: Bus = field(default_factory=InProcessBus)
    engine: Engine = field(init=False)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    signins: SignInLimiter = field(init=False)
    desk_sockets: Counter[str] = field(default_factory=Counter)
    customer_sockets: Counter[str] = field(default_factory=Counter)
    drop_timers: dict[str, asyncio.TimerHandle] = field(default_factory=dict)
    queue_counts: dict[str, int] = field(default_factory=dict)
    queue_names: dict[str, str] = field(default_factory=dict)
    queues_dirty: bool = False
    presence_choice: dict[str, Presence] = field(default_factory=dict)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.engine = Engine(
            self.clock,
            offer_timeout=self.settings.offer_timeout,
            customer_grace=self.settings.customer_grace,
        )
        self.signins = SignInLimiter(
            self.settings.signin_attempts, self.settings.signin_window, self.clock
        )

    def queues_frame(self) -> dict[str, object]:
        """The `queues` signal: every queue's waiting count."""
        return {
            "type": "queues",
            "queues": [
                {"id": queue_id, "name": name, "waiting": self.queue_counts.get(queue_id, 0)}
                for queue_id, name in self.queue_names.items()
            ],
        }

    def wake(self) -> None:
        """Tell the timer loop that the engine's next deadline may have moved."""
        self._wake.set()

    async def wait_for_deadline(self) -> None:
        deadline = self.engine.next_deadline()
        timeout = 5.0 if deadline is None else max(0.0, deadline - self.clock.now())
        self._wake.clear()
        # Not asyncio.wait_for: before Python 3.12 it swallows a cancel that comes as the
        # event is set, and the ticker then never stops (shutdown hangs).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(timeout, 5.0)):
                await self._wake.wait()
