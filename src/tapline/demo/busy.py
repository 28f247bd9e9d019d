"""`tapline demo --busy`: the conductor of the simulated specialists and customers.

The `tapline` command starts it in the server's own process once the server listens, and
stops it (cancelling its customers' requests, resolving its chats, signing out) before the
server shuts down: one process to stop with Ctrl+C, nothing left behind, and the load (a few
requests a minute) costs the server's loop nothing it would notice. The bots still go through
loopback TCP and the real protocol (`clients.py`): what a newcomer sees in the widget and the
desk is the product itself. docs/subsystems/demo.md, "A busy demo".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed

from tapline.demo import clients
from tapline.demo.clients import Link, Refused
from tapline.demo.customers import CustomerBot
from tapline.demo.desks import DeskBot
from tapline.demo.pacing import WARM_LINE, Caps, Pace, plan_customer
from tapline.demo.script import PROBLEMS, customer_name
from tapline.demo.seed import DemoSignIn

log = logging.getLogger("tapline.demo")
Say = Callable[[str], None]
TICK = 1.0
"""Seconds between the conductor's looks at the line."""
STATUS_EVERY = 60.0
STOP_GRACE = 5.0
"""Seconds the bots have to cancel, resolve and sign out when the demo stops."""
DESK_RETRIES = 3
ON_DUTY_GUARD = 30.0
"""Seconds to wait for the simulated specialists to come online before customers start."""
FAILURES = (Refused, OSError, ConnectionClosed, TimeoutError)


@dataclass(slots=True)
class Tally:
    asked: int = 0
    resolved: int = 0
    gave_up: int = 0
    called_back: int = 0
    """Customers who asked to be called back."""
    refused: int = 0
    """Requests the server refused, or customers who could not connect."""


def words(mean: float, low: float, high: float) -> str:
    """An estimate as the widget words it, roughly: "about 8 min (5\u201312)"."""
    if mean < 60:
        return "less than a minute"
    lo, m, hi = (max(1, round(x / 60)) for x in (low, mean, high))
    return f"about {m} min ({lo}\u2013{hi})"  # an en dash, as the widget


def shows_the_offer(estimate: dict[str, Any] | None) -> bool:
    """What the newcomer should see: people ahead, an estimate with its range, the callback."""
    if estimate is None:
        return False
    low, mean, high = estimate.get("low"), estimate.get("mean"), estimate.get("high")
    if not (isinstance(low, int) and isinstance(mean, int) and isinstance(high, int)):
        return False  # seconds, as the server sends them; null: no honest figure
    ahead = int(estimate.get("position") or 0) >= 2
    return ahead and low < mean < high and (estimate.get("options") or {}).get("callback") is True


class Conductor:
    def __init__(
        self,
        link: Link,
        specialists: list[DemoSignIn],
        caps: Caps,
        say: Say,
        *,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.link, self.specialists, self.caps, self.say = link, specialists, caps, say
        self.rng, self.clock = rng or random.Random(), clock
        self.pace = Pace(caps)
        self.tally = Tally()
        self.desks: dict[str, DeskBot] = {}
        self.customers: dict[int, CustomerBot] = {}
        self._wakes: list[asyncio.Event] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._started = clock()
        self._ready = False
        self._status_at = self._started + STATUS_EVERY

    # -- The line ----------------------------------------------------------------------------

    async def run(self) -> None:
        names = ", ".join(s.name for s in self.specialists)
        self.say(
            f"-> Busy demo: signing in {len(self.specialists)} simulated specialists ({names})"
        )
        self._started = self.clock()
        self._status_at = self._started + STATUS_EVERY
        for sign_in in self.specialists:
            self._spawn(self._desk(sign_in))
        await self._on_duty()
        caps = self.caps
        self.say(
            f"-> {sum(d.present for d in self.desks.values())} simulated specialists on; "
            f"simulated customers ask at most {caps.per_minute:g} a minute, "
            f"at most {caps.line} waiting and {caps.customers} at once"
        )
        number = 0
        while not self._stopping:
            now = self.clock()
            waiting = sum(c.phase in ("waiting", "callback") for c in self.customers.values())
            wait = self.pace.wait(now, waiting, len(self.customers))
            if wait == 0.0:
                number += 1
                self.pace.asked(now)
                self._spawn(self._customer(number))
                continue
            self._report(now, waiting)
            await asyncio.sleep(TICK if wait is None else min(wait, TICK))

    async def _on_duty(self) -> None:
        deadline = self.clock() + ON_DUTY_GUARD
        while self.clock() < deadline and not self._stopping:
            if len(self.desks) == len(self.specialists) and all(
                d.present for d in self.desks.values()
            ):
                return
            await asyncio.sleep(0.1)

    def _report(self, now: float, waiting: int) -> None:
        # Ready: every specialist has a chat, WARM_LINE wait behind them, and one was told.
        if not self._ready and len(self.customers) >= self.caps.bots + WARM_LINE:
            shown = next(
                (c.estimate for c in self.customers.values() if shows_the_offer(c.estimate)), None
            )
            if shown is not None:
                self._ready = True
                self._say_ready(now, waiting, shown)
        if now >= self._status_at:
            self._status_at = now + STATUS_EVERY
            chatting = sum(c.phase == "chatting" for c in self.customers.values())
            t = self.tally
            self.say(
                f"-> Busy demo: {waiting} waiting, {chatting} in chat; so far {t.asked} asked, "
                f"{t.resolved} resolved, {t.gave_up} gave up, {t.called_back} asked for a callback"
            )

    def _say_ready(self, now: float, waiting: int, shown: dict[str, Any]) -> None:
        told = words(shown["mean"], shown["low"], shown["high"])
        origin = self.link.origin
        people = "customer" if waiting == 1 else "customers"
        self.say(
            f"-> The line is ready after {now - self._started:.0f} s: {waiting} simulated "
            f"{people} waiting in Payments; number {shown['position']} was told "
            f'"{told}" and offered a callback and slots.\n'
            f"   Now open [link]{origin}/demo[/], book to the payment step and tap "
            "[bold]Get help[/]: you join the line behind them with your own estimate and its "
            'range, "Call me back when it\'s my turn" and "Schedule a time".\n'
            "   The simulated specialists serve the line in turn, yours too. To help the "
            f"traveller yourself, sign in first at [link]{origin}/desk[/] as Ana: when she is "
            "free she gets your request before them."
        )

    # -- The bots ----------------------------------------------------------------------------

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a simulated person failed", exc_info=task.exception())

    async def _customer(self, number: int) -> None:
        plan = plan_customer(self.rng, self.caps, number, len(PROBLEMS))
        problem = PROBLEMS[plan.problem]
        bot = CustomerBot(plan, problem, self.rng, self.caps.handle, self.clock())
        self.customers[number] = bot
        self.tally.asked += 1
        wake = self._wake()
        try:
            async with self.link.http() as http:
                created = await clients.ask(http, self.link, number, customer_name(number), problem)
            socket = await clients.customer_socket(self.link)
            try:
                await socket.send(bot.hello(created["request_id"], created["customer_token"]))
                await clients.drive(bot, socket, wake, self.clock)
            finally:
                await socket.close()
        except FAILURES as error:
            self.tally.refused += 1
            if not self._stopping:
                log.warning("simulated customer %d: %s", number, error)
        finally:
            self._wakes.remove(wake)
            self.customers.pop(number, None)
            self.tally.resolved += bot.outcome == "resolved"
            self.tally.gave_up += bot.outcome == "gave_up"
            self.tally.called_back += bot.asked_callback

    async def _desk(self, sign_in: DemoSignIn) -> None:
        bot = DeskBot(sign_in.name, self.rng, self.caps.handle)
        self.desks[sign_in.name] = bot
        wake = self._wake()
        try:
            for attempt in range(DESK_RETRIES):
                try:
                    await self._desk_session(sign_in, bot, wake)
                    return
                except FAILURES as error:
                    if self._stopping:
                        return
                    bot.present = False
                    self.say(f"[yellow]{sign_in.name} lost the desk ({error}); again[/]")
                    await asyncio.sleep(2.0 * (attempt + 1))
            self.say(f"[yellow]{sign_in.name} gave up after {DESK_RETRIES} tries[/]")
        finally:
            self._wakes.remove(wake)

    async def _desk_session(self, sign_in: DemoSignIn, bot: DeskBot, wake: asyncio.Event) -> None:
        async with self.link.http() as http:
            desk = await clients.sign_in(http, self.link, sign_in.email, sign_in.password)
            socket = await clients.desk_socket(self.link, desk)
            try:
                await socket.send({"type": "hello", "last_seq": desk.seq})
                bot.start(self.clock(), desk.connected)
                await clients.drive(bot, socket, wake, self.clock)
            finally:
                await socket.close()
            with contextlib.suppress(Refused):
                await clients.sign_out(http, self.link, desk)

    def _wake(self) -> asyncio.Event:
        wake = asyncio.Event()
        self._wakes.append(wake)
        return wake

    # -- Stopping ----------------------------------------------------------------------------

    async def stop(self) -> None:
        """Cancel the customers' requests, resolve the chats, sign out: STOP_GRACE at most."""
        self._stopping = True
        now = self.clock()
        for customer in self.customers.values():
            customer.stop(now)
        for desk in self.desks.values():
            desk.stop(now)
        for wake in self._wakes:
            wake.set()
        tasks = list(self._tasks)
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=STOP_GRACE)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
