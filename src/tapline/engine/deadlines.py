"""Deadlines (offer timeouts, customer grace, widening, sticky waits) in a lazy-deletion heap."""

from __future__ import annotations

import heapq
from enum import StrEnum
from typing import Final, NamedTuple

_COMPACT_AT: Final = 1024


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


_Entry = tuple[float, int, DeadlineKind, str]
"""A Deadline's fields in the heap: a plain tuple, built in C (a NamedTuple's `__new__` is
Python code, even under mypyc); only a due deadline becomes a Deadline."""


class Deadlines:
    """Deadlines in time order (ties in the order they were set).

    Cancelling only forgets the token; the heap entry is dropped when it reaches the top.
    """

    def __init__(self) -> None:
        self._heap: list[_Entry] = []
        self._live: set[int] = set()
        self._next_token = 0

    def __len__(self) -> int:
        return len(self._live)

    def add(self, at: float, kind: DeadlineKind, request_id: str) -> int:
        """Set a deadline and return its token, for `cancel`."""
        self._next_token += 1
        token = self._next_token
        heapq.heappush(self._heap, (at, token, kind, request_id))
        self._live.add(token)
        return token

    def cancel(self, token: int | None) -> None:
        if token is None:
            return
        self._live.discard(token)
        if len(self._heap) > _COMPACT_AT + 4 * len(self._live):
            # Many stale entries far from the top: rebuild rather than let the heap grow.
            self._heap = [entry for entry in self._heap if entry[1] in self._live]
            heapq.heapify(self._heap)

    def _drop_stale(self) -> None:
        while self._heap and self._heap[0][1] not in self._live:
            heapq.heappop(self._heap)

    def next_at(self) -> float | None:
        """When the earliest live deadline falls, or None."""
        self._drop_stale()
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> Deadline | None:
        """Take the earliest live deadline at or before `now`, or None."""
        self._drop_stale()
        if not self._heap or self._heap[0][0] > now:
            return None
        at, token, kind, request_id = heapq.heappop(self._heap)
        self._live.discard(token)
        return Deadline(at, token, kind, request_id)
