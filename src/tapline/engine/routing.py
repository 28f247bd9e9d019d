"""The seam where a router chooses which eligible specialist gets a request's offer.

The engine decides who is eligible (see `Engine.route`); a router only picks among them.
Full routing (skill levels, authority, stickiness, widening) will come in as another Router.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from tapline.engine.presence import SpecialistState


@dataclass(frozen=True, slots=True)
class WaitingRequest:
    """What a router is told of the request it chooses for."""

    request_id: str
    queue_id: str
    skill: str
    """The skill the request's queue needs."""
    enqueued_at: float


class Router(Protocol):
    """Chooses one of the eligible specialists for a request, or None to leave it waiting.

    `candidates` is never empty and holds the engine's own records: a router must not change
    them. It must return one of them (by identity of `specialist_id`) or None.
    """

    def choose(
        self, request: WaitingRequest, candidates: Sequence[SpecialistState], now: float
    ) -> SpecialistState | None: ...


class LongestIdleRouter:
    """The specialist idle the longest: the smallest `idle_since`, ties by specialist id."""

    def choose(
        self, request: WaitingRequest, candidates: Sequence[SpecialistState], now: float
    ) -> SpecialistState | None:
        if not candidates:
            return None
        return min(candidates, key=lambda s: (s.idle_since, s.specialist_id))
