"""One queue's waiting requests, kept in place order.

A place is `(rank, -priority, enqueued_at, seq, request_id)`: rank 0 puts a request re-routed
after its specialist dropped (or put back at the front) ahead of everyone, rank 1 is everyone
else; then the highest priority first; then the oldest enqueued first, ties by submit order.
Places compare the same way across queues, so one order serves a specialist of several
queues. A request keeps its place while it is offered, so when an offer ends it goes back
exactly where it was.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from tapline.engine.policy import DEFAULT, QueuePolicy

Place = tuple[int | float | str, ...]
"""`(rank, -priority, enqueued_at, seq, request_id)`. Typed as a tuple of any length so that
mypyc keeps it one Python tuple: a fixed-length tuple type is unpacked into C fields, then
packed again (a new tuple and float) each time it goes into a list or through bisect."""

FRONT: Final = 0
NORMAL: Final = 1


def _remove(places: list[Place], place: Place) -> bool:
    i = bisect_left(places, place)
    if i < len(places) and places[i] == place:
        del places[i]
        return True
    return False


class Lineup:
    """The requests waiting or offered in one queue (`all`), and the ones not offered (`ready`).

    Both are sorted lists: insertion is a binary search plus a memmove, cheap at thousands.
    """

    def __init__(self) -> None:
        self._all: list[Place] = []
        self._ready: list[Place] = []

    def __len__(self) -> int:
        return len(self._all)

    @property
    def ready(self) -> Sequence[Place]:
        """Waiting requests with no pending offer, in place order. Do not change it."""
        return self._ready

    @property
    def places(self) -> Sequence[Place]:
        """Every waiting and offered request, in place order. Do not change it."""
        return self._all

    def join(self, place: Place) -> None:
        """A request starts (or starts again) to wait."""
        insort(self._all, place)
        insort(self._ready, place)

    def offered(self, place: Place) -> None:
        """A waiting request got an offer: it keeps its place but is no longer ready."""
        _remove(self._ready, place)

    def back(self, place: Place) -> None:
        """An offer ended without a connection: the request is ready again, at its place."""
        insort(self._ready, place)

    def leave(self, place: Place) -> None:
        """A request stopped waiting (connected, moved, or reached its outcome)."""
        _remove(self._all, place)
        _remove(self._ready, place)

    def position(self, place: Place) -> int | None:
        """1-based place among the waiting and offered requests, or None if not here."""
        i = bisect_left(self._all, place)
        if i < len(self._all) and self._all[i] == place:
            return i + 1
        return None


@dataclass(slots=True)
class QueueRecord:
    """The engine's own record of one queue."""

    queue_id: str
    skill: str
    """The skill its requests need."""
    policy: QueuePolicy = DEFAULT
    lineup: Lineup = field(default_factory=Lineup)
