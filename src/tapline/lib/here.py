"""What a node knows of the sockets open on the other nodes (see `tapline.actions.attendance`)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

REPORT_EVERY = 2.0
"""A node that does not own the engine reports its sockets this often (and on change)."""
EXPIRY = 3 * REPORT_EVERY
"""A node silent this long is gone, and its sockets with it."""


@dataclass
class Report:
    customers: frozenset[str]
    desks: frozenset[str]
    watching: bool = False
    visible: frozenset[str] = frozenset()
    """Customers with a socket whose page is shown (the SDK says so; `actions.presence`)."""
    at: float = field(default_factory=time.monotonic)


@dataclass
class Attendance:
    remote: dict[str, Report] = field(default_factory=dict)
    told_customers: set[str] = field(default_factory=set)
    """Customers the engine was told are here (it is told of the others' leaving)."""
    visible: Counter[str] = field(default_factory=Counter)
    """This node's customer sockets whose page is shown, per request."""
    shown: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    """The presence each customer's desk was last told, and since when (ms)."""

    def live(self) -> list[Report]:
        now = time.monotonic()
        return [report for report in self.remote.values() if now - report.at <= EXPIRY]

    def watching(self) -> bool:
        return any(report.watching for report in self.live())
