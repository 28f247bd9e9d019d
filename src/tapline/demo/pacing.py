"""The busy demo's pacing and draws, pure: when the next simulated customer may ask, and what
each simulated person will do (wait how long, ask to be called back, chat how long).

Times are seconds on any monotonic clock; randomness comes from an injected `random.Random`,
so the tests pin every decision down. docs/subsystems/demo.md, "A busy demo".
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass

from tapline.settings import Settings

WINDOW = 60.0
"""The per-minute cap counts the requests asked in the last WINDOW seconds."""
FILL_GAP = 2.0
"""Seconds between customers while the line forms (the warm-up)."""
WARM_LINE = 2
"""The line forms until every specialist has a chat and this many wait behind them."""
GIVE_UP = 0.2
"""The share of simulated customers with a limited patience."""
WANTS_CALLBACK = 0.25
"""The share who ask to be called back when it is offered."""
THINK_MAX = 4.0
"""The longest a simulated person takes to react (accept, answer, reply)."""


@dataclass(frozen=True, slots=True)
class Caps:
    """The load's bounds, from the settings (docs/subsystems/demo.md)."""

    bots: int
    """Simulated specialists, one chat each."""
    line: int
    """Simulated customers waiting (or called back) at once, at most."""
    per_minute: float
    """New simulated requests a minute, at most."""
    handle: float
    """A simulated chat's mean length, seconds."""

    @property
    def customers(self) -> int:
        """Simulated customers at once, at most: one chatting per specialist, and the line."""
        return self.bots + self.line

    @classmethod
    def from_settings(cls, settings: Settings) -> Caps:
        return cls(settings.demo_bots, settings.demo_line, settings.demo_rate, settings.demo_handle)


class Pace:
    """When the next simulated customer may ask.

    Never while the line or the customers are at their caps; never more than `per_minute` in
    any WINDOW, spread evenly (one every 60 / per_minute seconds), except that customers come
    every FILL_GAP seconds until every specialist has a chat and WARM_LINE more wait, so the
    line forms within seconds (still within the per-minute cap).
    """

    def __init__(self, caps: Caps) -> None:
        self.caps = caps
        self._asked: deque[float] = deque()
        self._last: float | None = None

    def wait(self, now: float, waiting: int, alive: int) -> float | None:
        """Seconds until the next customer may ask (0: now), or None while at a cap.

        `waiting`: simulated customers in line (a callback keeps its place); `alive`: those
        whose request has not ended."""
        caps = self.caps
        if waiting >= caps.line or alive >= caps.customers:
            return None
        while self._asked and self._asked[0] <= now - WINDOW:
            self._asked.popleft()
        if self._last is None:
            return 0.0
        gap = FILL_GAP if alive < caps.bots + WARM_LINE else 60.0 / caps.per_minute
        ready = self._last + gap
        if len(self._asked) >= max(1, math.floor(caps.per_minute)):
            ready = max(ready, self._asked[0] + WINDOW)
        return max(0.0, ready - now)

    def asked(self, now: float) -> None:
        """A customer asked at `now`."""
        self._asked.append(now)
        self._last = now


@dataclass(frozen=True, slots=True)
class CustomerPlan:
    """What one simulated customer will do."""

    number: int
    patience: float | None
    """Seconds they wait (in line or for a callback) before giving up; None: they wait."""
    callback: bool
    """Whether they ask to be called back when it is offered."""
    problem: int
    """Which of the scripted problems (`script.PROBLEMS`) they have."""
    rating: int


def plan_customer(rng: random.Random, caps: Caps, number: int, problems: int) -> CustomerPlan:
    patience = rng.uniform(0.5, 2.0) * caps.handle if rng.random() < GIVE_UP else None
    return CustomerPlan(
        number=number,
        patience=patience,
        callback=rng.random() < WANTS_CALLBACK,
        problem=rng.randrange(problems),
        rating=rng.choice((4, 5, 5)),
    )


def handle_time(rng: random.Random, mean: float) -> float:
    """How long a simulated chat lasts: a gamma of shape 4 (spread about half the mean, as
    chats vary), kept within a quarter and three times the mean."""
    return min(3 * mean, max(mean / 4, rng.gammavariate(4.0, mean / 4)))


def think(rng: random.Random, handle: float) -> float:
    """How long a simulated person takes to react: a few seconds, less when chats are short."""
    return min(THINK_MAX, handle / 10) * rng.uniform(0.5, 1.0)
