"""Whether callback promises were kept: counts per queue and per kind.

See docs/subsystems/callbacks.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tapline.engine.callback_states import CallbackKind, PromiseOutcome


@dataclass(frozen=True, slots=True)
class PromiseTally:
    kept: int = 0
    broken: int = 0
    void: int = 0
    """Cancelled or rescheduled before being kept or broken; not in `total`."""

    @property
    def total(self) -> int:
        """Promises that were kept or broken."""
        return self.kept + self.broken

    @property
    def rate(self) -> float | None:
        """The kept rate, kept / total; None before any promise was kept or broken."""
        return self.kept / self.total if self.total else None

    def __add__(self, other: PromiseTally) -> PromiseTally:
        return PromiseTally(
            self.kept + other.kept, self.broken + other.broken, self.void + other.void
        )


class PromiseLedger:
    """Settled promises, counted by queue and kind. `Callbacks` records into it."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, CallbackKind, PromiseOutcome]] = Counter()

    def record(self, queue_id: str, kind: CallbackKind, outcome: PromiseOutcome) -> None:
        self._counts[(queue_id, CallbackKind(kind), PromiseOutcome(outcome))] += 1

    def tally(self, queue_id: str | None = None, kind: CallbackKind | None = None) -> PromiseTally:
        """The counts for one queue and/or one kind, or overall."""
        n = {outcome: 0 for outcome in PromiseOutcome}
        for (q, k, outcome), count in self._counts.items():
            if (queue_id is None or q == queue_id) and (kind is None or k == kind):
                n[outcome] += count
        return PromiseTally(
            n[PromiseOutcome.KEPT], n[PromiseOutcome.BROKEN], n[PromiseOutcome.VOID]
        )

    def queues(self) -> list[str]:
        return sorted({q for q, _, _ in self._counts})

    def by_queue(self) -> dict[str, PromiseTally]:
        return {q: self.tally(queue_id=q) for q in self.queues()}

    def by_kind(self) -> dict[CallbackKind, PromiseTally]:
        return {k: self.tally(kind=k) for k in CallbackKind}

    def clear(self) -> None:
        """Start counting afresh (a new day on the wallboard)."""
        self._counts.clear()
