"""The seam where a router chooses which eligible specialist gets a request's offer.

The engine decides who is eligible (see `Engine.route`: skills, authority, channel room,
stickiness, widening, exclusions); a router only picks among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from tapline.engine.channels import Channel
from tapline.engine.presence import SpecialistState
from tapline.engine.requirements import NONE, Requirements


@dataclass(frozen=True, slots=True)
class WaitingRequest:
    """What a router is told of the request it chooses for."""

    request_id: str
    queue_id: str
    skill: str
    """The skill the request's queue needs."""
    enqueued_at: float
    channel: Channel = Channel.CHAT
    priority: int = 0
    """Its priority for ordering (the queue's plus its own)."""
    requirements: Requirements = NONE


Rank = tuple[float | str, ...]
"""A ranking router's sort key for a specialist; it ends with the id, so no two are equal."""


class Router(Protocol):
    """Chooses one of the eligible specialists for a request, or None to leave it waiting.

    `candidates` is never empty and holds the engine's own records: a router must not change
    them. It must return one of them (by identity of `specialist_id`) or None. A request left
    waiting is asked about again when it, or a specialist who could take it, changes.
    """

    def choose(
        self, request: WaitingRequest, candidates: Sequence[SpecialistState], now: float
    ) -> SpecialistState | None: ...


class LeastLoadedRouter:
    """The default: the least loaded on the request's channel, then the longest idle.

    Load is active requests on the channel over capacity on it, so work spreads across
    specialists instead of filling one up before the next gets anything. Ties go to the
    smallest `idle_since` (the longest since they became available, took or ended a
    request), then the specialist id.
    """

    def choose(
        self, request: WaitingRequest, candidates: Sequence[SpecialistState], now: float
    ) -> SpecialistState | None:
        if not candidates:
            return None
        channel = request.channel
        return min(candidates, key=lambda s: self.key(s, channel))

    def key(self, spec: SpecialistState, channel: Channel) -> Rank:
        """The order it chooses in (smallest first), from the specialist's state alone."""
        return (
            spec.load(channel) / max(1, spec.capacity_for(channel)),
            spec.idle_since,
            spec.specialist_id,
        )


class LongestIdleRouter:
    """The specialist idle the longest: the smallest `idle_since`, ties by specialist id."""

    def choose(
        self, request: WaitingRequest, candidates: Sequence[SpecialistState], now: float
    ) -> SpecialistState | None:
        if not candidates:
            return None
        return min(candidates, key=lambda s: self.key(s, request.channel))

    def key(self, spec: SpecialistState, channel: Channel) -> Rank:
        """The order it chooses in (smallest first), from the specialist's state alone."""
        return (spec.idle_since, spec.specialist_id)


RANKING = (LeastLoadedRouter, LongestIdleRouter)
"""Routers that choose the smallest `key` among the candidates: the engine keeps the free
specialists sorted by it and takes the first eligible, rather than listing every candidate."""
