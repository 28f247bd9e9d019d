"""Deadlines (offer timeouts, customer grace, widening, sticky waits) in a lazy-deletion heap."""

from __future__ import annotations

import heapq
from enum import StrEnum
from typing import NamedTuple

_COMPACT_AT = 1024


class DeadlineKind(StrEnum):
    OFFER = "offer"
    GRACE = "grace"
    WIDEN = "widen"
    """A waiting request reaches its next widening stage (T1 or T2)."""
    STICKY = "sticky"
    """A request's wait for its preferred specialist is over."""


class Deadline(NamedTuple):
    at: float
    token: int
    kind: DeadlineKind
    request_id: str


class Deadlines:
    """Deadlines in time order (ties in the order they were set).

    Cancelling only forgets the token; the heap entry is dropped when it reaches the top.
    """

    def __init__(self) -> None:
        self._heap: list[Deadline] = []
        self._live: set[int] = set()
        self._next_token = 0

    def __len__(self) -> int:
        return len(self._live)

    def add(self, at: float, kind: DeadlineKind, request_id: str) -> int:
        """Set a deadline and return its token, for `cancel`."""
        self._next_token += 1
        token = self._next_token
        heapq.heappush(self._heap, Deadline(at, token, kind, request_id))
        self._live.add(token)
        return token

    def cancel(self, token: int | None) -> None:
        if token is None:
            return
        self._live.discard(token)
        if len(self._heap) > _COMPACT_AT + 4 * len(self._live):
            # Many stale entries far from the top: rebuild rather than let the heap grow.
            self._heap = [d for d in self._heap if d.token in self._live]
            heapq.heapify(self._heap)

    def _drop_stale(self) -> None:
        while self._heap and self._heap[0].token not in self._live:
            heapq.heappop(self._heap)

    def next_at(self) -> float | None:
        """When the earliest live deadline falls, or None."""
        self._drop_stale()
        return self._heap[0].at if self._heap else None

    def pop_due(self, now: float) -> Deadline | None:
        """Take the earliest live deadline at or before `now`, or None."""
        self._drop_stale()
        if not self._heap or self._heap[0].at > now:
            return None
        deadline = heapq.heappop(self._heap)
        self._live.discard(deadline.token)
        return deadline
