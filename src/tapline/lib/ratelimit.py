"""Explicit limits on how fast and how much: sign-in failures, socket frames, new requests
per hour, and sockets open at once."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping

from tapline.engine import Clock


class SignInLimiter:
    """Failed sign-ins slow down whoever keeps failing, and never lock out the owner.

    Failures are counted over the last `window` seconds in three ways:

    - per account and client address: `attempts` tries are free, then each further one
      waits twice as long after that pair's latest failure (1 s, 2 s, 4 s… at most the
      window). A password guesser at one address gets a handful of guesses per window.
    - per client address, across accounts: `address_attempts` free, then the same
      progressive delay. One address spraying one password over many accounts is slowed.
    - per account, across addresses: past `account_attempts`, an address that has already
      failed on the account has no free tries left (its delays start at once), but an address
      that has not tries at once. So a guesser spread over many addresses gets about one
      guess per address and window, while the owner's right password from their own address
      still gets in: no one can lock an account by failing on purpose.
    """

    def __init__(
        self,
        attempts: int,
        window: float,
        clock: Clock,
        sweep_at: int = 10_000,
        *,
        account_attempts: int | None = None,
        address_attempts: int | None = None,
    ) -> None:
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self.account_attempts = account_attempts or 4 * attempts
        self.address_attempts = address_attempts or 20 * attempts
        self.sweep_at = sweep_at
        """Keys held before the ones with no failure left in the window are swept away."""
        self._failures: dict[str, deque[float]] = {}
        self._next_sweep = sweep_at

    def __len__(self) -> int:
        """Keys held now (pairs, addresses and accounts with recent failures)."""
        return len(self._failures)

    def retry_after(self, account: str, address: str) -> int:
        """Whole seconds to wait before this account may be tried from this address (0: now)."""
        now = self.clock.now()
        pair = self._recent(_pair(account, address), now)
        by_account = self._recent(f"account:{account}", now)
        free = self.attempts if len(by_account) < self.account_attempts else 1
        wait = max(
            self._delay(pair, free, now),
            self._delay(self._recent(f"address:{address}", now), self.address_attempts, now),
        )
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, account: str, address: str) -> None:
        now = self.clock.now()
        for key in (_pair(account, address), f"account:{account}", f"address:{address}"):
            self._prune(key, now).append(now)
        if len(self._failures) > self._next_sweep:
            # Memory stays bounded by the failures in one window, however many keys come;
            # sweeping at twice what was left keeps the cost per failure constant.
            for key in list(self._failures):
                if not self._prune(key, now):
                    del self._failures[key]
            self._next_sweep = max(self.sweep_at, 2 * len(self._failures))

    def succeeded(self, account: str, address: str) -> None:
        """The owner got in: their account and this pair start afresh (the address does not)."""
        self._failures.pop(_pair(account, address), None)
        self._failures.pop(f"account:{account}", None)

    def _delay(self, failures: deque[float], free: int, now: float) -> float:
        if len(failures) < free:
            return 0.0
        step = min(2.0 ** min(len(failures) - free, 60), self.window)
        return failures[-1] + step - now

    def _recent(self, key: str, now: float) -> deque[float]:
        """The failures in the window; asking does not make a key."""
        return self._prune(key, now) if key in self._failures else deque()

    def _prune(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            failures = self._failures[key] = deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures


def _pair(account: str, address: str) -> str:
    return f"pair:{account}\n{address}"


class TokenBucket:
    """Frames per socket: `rate` per second with bursts of `burst`."""

    def __init__(self, rate: float, burst: int, clock: Clock) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.clock = clock
        self.tokens = float(burst)
        self.stamp = clock.now()

    def take(self) -> bool:
        now = self.clock.now()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class WindowLimits:
    """At most `limits[kind]` events per key of that kind in any `window` seconds (a sliding
    window): new requests per customer and per client address in an hour.

    `take` counts one event for every key it is given, or for none of them when any is at
    its limit; `give_back` returns them (the create found an earlier request, or failed), so
    a refused or repeated create costs nothing. Memory stays bounded by the events in one
    window: keys with none left are swept, as in `SignInLimiter`.
    """

    def __init__(
        self, limits: Mapping[str, int], window: float, clock: Clock, sweep_at: int = 10_000
    ) -> None:
        self.limits = dict(limits)
        self.window = window
        self.clock = clock
        self.sweep_at = sweep_at
        self._events: dict[tuple[str, str], deque[float]] = {}
        self._next_sweep = sweep_at

    def __len__(self) -> int:
        """Keys held now."""
        return len(self._events)

    def retry_after(self, kind: str, key: str) -> int:
        """Whole seconds until this key may have one more (0: now)."""
        limit = self.limits[kind]
        events = self._events.get((kind, key))
        if events is None:
            return 0
        now = self.clock.now()
        _prune(events, now - self.window)
        if len(events) < limit:
            return 0
        return max(1, math.ceil(events[-limit] + self.window - now))

    def take(self, keys: Mapping[str, str]) -> tuple[str, int] | None:
        """Count one for each `kind: key`; or, when one is at its limit, count nothing and
        return that kind and the seconds to wait (the longest wait when several are)."""
        waits = [(self.retry_after(kind, key), kind) for kind, key in keys.items()]
        wait, kind = max(waits, default=(0, ""))
        if wait:
            return kind, wait
        now = self.clock.now()
        for kind, key in keys.items():
            self._events.setdefault((kind, key), deque()).append(now)
        if len(self._events) > self._next_sweep:
            for found in list(self._events):
                if not _prune(self._events[found], now - self.window):
                    del self._events[found]
            self._next_sweep = max(self.sweep_at, 2 * len(self._events))
        return None

    def give_back(self, keys: Mapping[str, str]) -> None:
        """Undo one `take` of these keys (the latest event of each)."""
        for kind, key in keys.items():
            events = self._events.get((kind, key))
            if events:
                events.pop()
                if not events:
                    del self._events[(kind, key)]


def _prune(events: deque[float], before: float) -> deque[float]:
    while events and events[0] <= before:
        events.popleft()
    return events


class ConnectionLimits:
    """Sockets open at once: at most `limits[kind]` per key of that kind (per client address,
    per request). `open` says whether one more may open and counts it when it may; every
    `open` that returned True is matched by one `close`. Keys are forgotten at zero, so
    memory is bounded by the sockets open now."""

    def __init__(self, limits: Mapping[str, int]) -> None:
        self.limits = dict(limits)
        self._open: dict[tuple[str, str], int] = {}

    def __len__(self) -> int:
        """Keys with sockets open now."""
        return len(self._open)

    def count(self, kind: str, key: str) -> int:
        return self._open.get((kind, key), 0)

    def open(self, kind: str, key: str) -> bool:
        held = self._open.get((kind, key), 0)
        if held >= self.limits[kind]:
            return False
        self._open[(kind, key)] = held + 1
        return True

    def close(self, kind: str, key: str) -> None:
        held = self._open.get((kind, key), 0) - 1
        if held > 0:
            self._open[(kind, key)] = held
        else:
            self._open.pop((kind, key), None)
