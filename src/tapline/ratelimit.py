"""Explicit limits on how fast things may happen: sign-in failures and socket frames."""

from __future__ import annotations

from collections import deque

from tapline.engine import Clock


class SignInLimiter:
    """At most `attempts` failures per `window` seconds, per IP and per account."""

    def __init__(self, attempts: int, window: float, clock: Clock, sweep_at: int = 10_000) -> None:
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self.sweep_at = sweep_at
        """Keys held before the ones with no failure left in the window are swept away."""
        self._failures: dict[str, deque[float]] = {}
        self._next_sweep = sweep_at

    def __len__(self) -> int:
        """Keys held now (IPs and accounts with recent failures)."""
        return len(self._failures)

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another try, or 0 when one is allowed now."""
        now = self.clock.now()
        wait = 0.0
        for key in keys:
            if key not in self._failures:
                continue  # asking does not make a key
            failures = self._prune(key, now)
            if len(failures) >= self.attempts:
                wait = max(wait, failures[0] + self.window - now)
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, *keys: str) -> None:
        now = self.clock.now()
        for key in keys:
            self._prune(key, now).append(now)
        if len(self._failures) > self._next_sweep:
            # Memory stays bounded by the failures in one window, however many keys come;
            # sweeping at twice what was left keeps the cost per failure constant.
            for key in list(self._failures):
                if not self._prune(key, now):
                    del self._failures[key]
            self._next_sweep = max(self.sweep_at, 2 * len(self._failures))

    def succeeded(self, account_key: str) -> None:
        self._failures.pop(account_key, None)

    def _prune(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            failures = self._failures[key] = deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures


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
