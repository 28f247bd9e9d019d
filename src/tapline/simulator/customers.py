"""The simulator's customers: what the loop tracks of each, and the line's waits ahead."""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import ItemsView, Iterator, Sequence
from typing import Final, overload

from tapline.engine.estimates import Estimate

WAITING: Final = 0
SERVED: Final = 1
GHOST: Final = 2
"""Gave up, or ended as a missed callback: a ghost if still in the line."""
RINGING: Final = 3
"""A specialist holds the request while the callback rings (or between rings)."""


class Customer:
    """One customer: a request in the engine, and what the loop tracks of it."""

    __slots__ = (
        "ahead",
        "arrival",
        "attempt",
        "callback",
        "counted",
        "estimate",
        "in_line",
        "preds",
        "promise_start",
        "ql",
        "rid",
        "sid",
        "state",
        "turn",
        "turned",
    )

    def __init__(self, rid: str, arrival: float, counted: bool) -> None:
        self.rid = rid
        self.arrival = arrival
        self.counted = counted
        self.state = WAITING
        self.estimate: Estimate | None = None
        self.in_line = False
        self.preds: tuple[float, ...] | None = None
        self.ahead = 0
        self.ql = 0.0
        self.callback = False
        """Holds a live callback (promised, ringing or retrying)."""
        self.promise_start = 0.0
        """Arrival + the estimate's low end: a first ring before it is counted early."""
        self.turned = False
        """A specialist has taken the request once (its wait was observed then)."""
        self.turn = 0.0
        """When a specialist last took the request (its chat's handle time starts then)."""
        self.sid = ""
        self.attempt = 0


class WaitsAhead(Sequence[float]):
    """How long the `count` real customers ahead have waited, head first, without a copy.

    The line holds ghosts among them (in arrival order, as the customers); the j-th real one
    is looked for near its share of the line, so a read costs O(1) whatever the line's length
    (the estimator reads a sample of at most 16). The last entry of the line is the customer
    being estimated and is never read.
    """

    def __init__(self, line: deque[Customer], now: float, count: int) -> None:
        self._line = line
        self._now = now
        self._count = count
        self._scale = (len(line) - 1) / count if count else 0.0

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[float]: ...

    def __getitem__(self, index: int | slice) -> float | Sequence[float]:
        if not isinstance(index, int):  # int first: a check mypyc compiles inline
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        if index < 0:
            index += self._count
        line = self._line
        end = len(line) - 2
        i = min(int(index * self._scale), end)
        while i < end and line[i].state != WAITING:
            i += 1
        return self._now - line[i].arrival


class Tally:
    """The counts the results report (customers arriving after the warm-up)."""

    def __init__(self) -> None:
        self.arrivals = 0
        self.served = 0
        self.abandoned = 0
        self.immediate = 0
        self.delayed = 0
        self.answered_in_time = 0
        self.no_one = 0
        """Delayed customers who arrived while nobody was on duty (not estimated)."""
        self.cb_offered = 0
        self.cb_accepted = 0
        self.cb_early = 0
        self.cb_missed = 0
        self.cb_requeued = 0
        self.cb_rings = 0


class BusyChats:
    """The specialists with a customer, in the order their chats started (as a dict keeps its
    keys), with an evenly spaced sample of the chats read in O(sample).

    A dict with this much churn (a key in and out per chat) is slow to walk, and the estimator
    looks at a sample of the chats on every delayed arrival. The chats are also kept in a list,
    with their start tickets alongside to find one by bisection.
    """

    def __init__(self) -> None:
        self._by_specialist: dict[str, Customer] = {}
        self._chats: list[Customer] = []
        self._tickets: list[int] = []
        self._ticket: dict[str, int] = {}
        self._issued = 0

    def __len__(self) -> int:
        return len(self._by_specialist)

    def __contains__(self, sid: object) -> bool:
        return sid in self._by_specialist

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_specialist)

    def items(self) -> ItemsView[str, Customer]:
        return self._by_specialist.items()

    def add(self, sid: str, c: Customer) -> None:
        """`sid` takes `c` (a specialist already with a customer keeps its place)."""
        if sid in self._by_specialist:
            self._chats[bisect_left(self._tickets, self._ticket[sid])] = c
        else:
            self._issued += 1
            self._ticket[sid] = self._issued
            self._tickets.append(self._issued)
            self._chats.append(c)
        self._by_specialist[sid] = c

    def pop(self, sid: str) -> Customer:
        """`sid` is free: its customer."""
        c = self._by_specialist[sid]
        i = bisect_left(self._tickets, self._ticket[sid])
        del self._by_specialist[sid], self._ticket[sid]  # (compiled: faster than dict.pop)
        self._tickets.pop(i)
        self._chats.pop(i)
        return c

    def sample(self, most: int) -> list[Customer]:
        """Every k-th chat from the first, k the least that gives at most `most` of them."""
        chats = self._chats
        if len(chats) <= most:
            return chats[:]
        return chats[:: -(-len(chats) // most)]
