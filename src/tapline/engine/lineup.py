"""One queue's waiting requests, kept in place order.

A place is `(rank, -priority, enqueued_at, seq, request_id)`: rank 0 puts a request re-routed
after its specialist dropped (or put back at the front) ahead of everyone, rank 1 is everyone
else; then the highest priority first; then the oldest enqueued first, ties by submit order.
Places compare the same way across queues, so one order serves a specialist of several
queues. A request keeps its place while it is offered, so when an offer ends it goes back
exactly where it was.

Every change is counted (`version`) with the index it happened at, so a reader that saw the
line at some version learns in O(changes) from which position on it may differ
(`changed_from`): a change at index i moves or alters only the requests at i and behind.
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
CHANGES_KEPT: Final = 512
"""Changes remembered for `changed_from`; a reader further behind hears "from the head"."""


def _remove(places: list[Place], place: Place) -> int:
    """Remove `place`; its index, or -1 if it was not there."""
    i = bisect_left(places, place)
    if i < len(places) and places[i] == place:
        del places[i]
        return i
    return -1


class Lineup:
    """The requests waiting or offered in one queue (`all`), and the ones not offered (`ready`).

    Both are sorted lists: insertion is a binary search plus a memmove, cheap at thousands.
    """

    def __init__(self, version: int = 0) -> None:
        self._all: list[Place] = []
        self._ready: list[Place] = []
        self.version = version
        """How many changes this line has seen (a rebuilt line goes on from the old count)."""
        self._log: list[int] = []
        """The index of each change after `_base`: `_log[i]` made version `_base + i + 1`."""
        self._base = version

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
        i = bisect_left(self._all, place)
        self._all.insert(i, place)
        insort(self._ready, place)
        self._changed(i)

    def offered(self, place: Place) -> None:
        """A waiting request got an offer: it keeps its place but is no longer ready."""
        _remove(self._ready, place)
        self.touch(place)

    def back(self, place: Place) -> None:
        """An offer ended without a connection: the request is ready again, at its place."""
        insort(self._ready, place)
        self.touch(place)

    def leave(self, place: Place) -> None:
        """A request stopped waiting (connected, moved, or reached its outcome)."""
        i = _remove(self._all, place)
        _remove(self._ready, place)
        if i >= 0:
            self._changed(i)

    def touch(self, place: Place) -> None:
        """Something about a request in line changed in place (its stage, an offer)."""
        i = bisect_left(self._all, place)
        if i < len(self._all) and self._all[i] == place:
            self._changed(i)

    def position(self, place: Place) -> int | None:
        """1-based place among the waiting and offered requests, or None if not here."""
        i = bisect_left(self._all, place)
        if i < len(self._all) and self._all[i] == place:
            return i + 1
        return None

    def changed_from(self, since: int) -> int | None:
        """The lowest index that may differ from the line at version `since` (None: none).

        The requests before it are the same, in the same state, at the same positions.
        """
        if since >= self.version:
            return None
        if since < self._base:
            return 0
        return min(self._log[since - self._base :])

    def _changed(self, index: int) -> None:
        self.version += 1
        self._log.append(index)
        if len(self._log) > CHANGES_KEPT:
            drop = len(self._log) - CHANGES_KEPT // 2
            del self._log[:drop]
            self._base += drop


@dataclass(slots=True)
class QueueRecord:
    """The engine's own record of one queue."""

    queue_id: str
    skill: str
    """The skill its requests need."""
    policy: QueuePolicy = DEFAULT
    lineup: Lineup = field(default_factory=Lineup)
