"""Where the engine gets the time. The engine itself never reads the time."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Tells the current time, in seconds (a float)."""

    def now(self) -> float: ...


class SystemClock:
    """Real time, as Unix epoch seconds. The only place in the engine where time is read."""

    def now(self) -> float:
        return time.time()


class FakeClock:
    """Virtual time for tests and the simulator: it moves only when told to."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by `seconds` (never backward) and return the new time."""
        if seconds < 0:
            raise ValueError("a clock does not go backward")
        self._now += seconds
        return self._now

    def set(self, t: float) -> None:
        """Jump to `t`, in either direction (for tests of restores and odd cases)."""
        self._now = float(t)
