"""What one server process holds: settings, database, bus and the engine it drives."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx2
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tapline.engine import Clock, Engine, Presence, SystemClock
from tapline.engine.callback_states import CallbackPolicy, OnFailure
from tapline.engine.callbacks import Callbacks
from tapline.engine.queues import Queues
from tapline.engine.rules import RoutingRules
from tapline.engine.slots import SlotBook
from tapline.engine.staffing import Staffing
from tapline.lib.here import Attendance
from tapline.lib.ratelimit import SignInLimiter
from tapline.settings import Settings
from tapline.store.bus import Bus, InProcessBus
from tapline.store.writer import Writer

QUEUES_CHANNEL = "desk:queues"


class Forwarder(Protocol):
    """What the rest of the server needs of `tapline.lib.node.Node`."""

    owns: bool

    def report_soon(self) -> None: ...
    async def owner_url(self) -> str: ...
    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]: ...
    async def pass_on(
        self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> httpx2.Response: ...
    def status(self) -> dict[str, Any]: ...


@dataclass
class Runtime:
    settings: Settings
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock = field(default_factory=SystemClock)
    bus: Bus = field(default_factory=InProcessBus)
    engine: Engine = field(init=False)
    writer: Writer = field(init=False)
    signins: SignInLimiter = field(init=False)
    desk_sockets: Counter[str] = field(default_factory=Counter)
    customer_sockets: Counter[str] = field(default_factory=Counter)
    drop_at: dict[str, float] = field(default_factory=dict)
    """Specialist id -> when (engine clock) their desk's grace ends with no desk back."""
    desk_signouts: dict[str, dict[str, set[asyncio.Event]]] = field(default_factory=dict)
    """Specialist id -> desk session id -> one event per open desk socket: set to close it."""
    queue_counts: dict[str, int] = field(default_factory=dict)
    queue_names: dict[str, str] = field(default_factory=dict)
    queues_dirty: bool = False
    presence_choice: dict[str, Presence] = field(default_factory=dict)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set after every committed write: the wallboard may need a refresh."""
    estimates_changed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set after every committed write: waiting customers' estimates may have moved."""
    rules: RoutingRules | None = None
    queue_rows: dict[str, Any] = field(default_factory=dict)
    """Queue id -> its configuration row (hours, threshold), detached from any session."""
    queue_ids: dict[str, str] = field(default_factory=dict)
    """Queue name -> id (the rules name queues)."""
    staffing: Staffing = field(default_factory=Staffing.empty)
    slot_books: dict[str, SlotBook] = field(default_factory=dict)
    callbacks: Callbacks = field(init=False)
    callbacks_policy: CallbackPolicy = field(init=False)
    queues: Queues = field(init=False)
    """Every queue's learned laws and first estimates (`engine/queues.py`)."""
    shown: dict[str, Any] = field(default_factory=dict)
    """Request id -> what its customer was last told (`waits.Shown`)."""
    node: Forwarder | None = None
    """Set when several nodes share the database (`tapline.lib.node.Node`)."""
    attendance: Attendance = field(default_factory=Attendance)
    """The sockets open on the other nodes, as they report them (the owner's view)."""
    opening_check_at: float = 0.0
    """When `actions.opening` next looks for queues that have opened."""

    def __post_init__(self) -> None:
        self.writer = Writer(
            self.sessions,
            lambda: self.bus,
            max_waiting=self.settings.write_queue_max,
            max_batch=self.settings.write_batch_max,
        )
        self.writer.committed = self._committed
        self.signins = SignInLimiter(
            self.settings.signin_attempts, self.settings.signin_window, self.clock
        )
        self.reset_derived()

    def reset_derived(self) -> None:
        """Forget everything rebuilt from the database: a fresh engine, callbacks, queues."""
        self.engine = Engine(
            self.clock,
            offer_timeout=self.settings.offer_timeout,
            customer_grace=self.settings.customer_grace,
        )
        self.callbacks_policy = CallbackPolicy(
            ring_timeout=self.settings.ring_timeout,
            attempts=self.settings.ring_attempts,
            spacing=self.settings.ring_spacing,
            on_failure=OnFailure(self.settings.callback_on_failure),
        )
        self.callbacks = Callbacks(self.callbacks_policy)
        self.queues = Queues(self.engine, self.callbacks)
        self.queue_counts.clear()
        self.queue_names.clear()
        self.queue_rows.clear()
        self.queue_ids.clear()
        self.slot_books.clear()
        self.shown.clear()
        self.rules = None
        self.staffing = Staffing.empty()
        self.opening_check_at = 0.0

    def _committed(self) -> None:
        """After every committed batch: the queues' counts, then wake whoever waits."""
        if self.queues_dirty:
            self.queues_dirty = False
            self.bus.publish(QUEUES_CHANNEL, self.queues_frame())
        self.wake()

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
        self.changed.set()
        self.estimates_changed.set()

    async def wait_for_deadline(self) -> None:
        deadlines = [
            d
            for d in (
                self.engine.next_deadline(),
                self.callbacks.next_deadline(),
                min(self.drop_at.values(), default=None),
            )
            if d is not None
        ]
        deadline = min(deadlines) if deadlines else None
        timeout = 5.0 if deadline is None else max(0.0, deadline - self.clock.now())
        self._wake.clear()
        # Not asyncio.wait_for: before Python 3.12 it swallows a cancel that comes as the
        # event is set, and the ticker then never stops (shutdown hangs).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(timeout, 5.0)):
                await self._wake.wait()
