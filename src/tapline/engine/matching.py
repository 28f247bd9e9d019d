"""The routing pass's bookkeeping: who is free for an offer, and which request comes next.

`Engine.route` walks the waiting requests of every queue in one place order (a k-way merge of
the queues' sorted lineups) and stops as soon as nobody is left free. Queues whose skill no free
specialist has are never walked, so a pass costs about (specialists + requests looked at).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from heapq import heapify, heappop, heappush

from tapline.engine.lineup import Place, QueueRecord
from tapline.engine.presence import MIN_LEVEL, Presence, SpecialistState

Pools = dict[str, dict[str, SpecialistState]]
"""Skill -> the specialists free for an offer who have it, by id."""


def free_pools(specialists: Iterable[SpecialistState]) -> Pools:
    """Specialists who may get an offer now (AVAILABLE, room, no pending offer), by skill."""
    pools: Pools = {}
    for spec in specialists:
        if spec.presence is Presence.AVAILABLE and spec.offered is None and spec.has_capacity():
            for skill, level in spec.skills.items():
                if level >= MIN_LEVEL:
                    pools.setdefault(skill, {})[spec.specialist_id] = spec
    return pools


def take(pools: Pools, spec: SpecialistState) -> None:
    """The specialist now holds an offer: they are free for no other."""
    for skill in spec.skills:
        pool = pools.get(skill)
        if pool is not None:
            pool.pop(spec.specialist_id, None)
            if not pool:
                del pools[skill]


def candidates(pool: Mapping[str, SpecialistState], excluded: set[str]) -> list[SpecialistState]:
    """The free specialists of `pool` that a request has not excluded."""
    return [spec for specialist_id, spec in pool.items() if specialist_id not in excluded]


def in_place_order(
    queues: Iterable[QueueRecord], pools: Pools
) -> Iterator[tuple[Place, QueueRecord]]:
    """Ready requests of all queues, oldest place first, while the queue's skill has anyone free.

    `pools` is read at each step, so taking specialists out of it (`take`) between steps stops
    the walk of queues nobody is left for. The lineups must not change during the walk.
    """
    heads: list[tuple[Place, int, QueueRecord]] = [
        (queue.lineup.ready[0], 0, queue)
        for queue in queues
        if queue.lineup.ready and queue.skill in pools
    ]
    heapify(heads)  # places are unique, so the queue records themselves are never compared
    while heads and pools:
        place, i, queue = heappop(heads)
        if queue.skill not in pools:
            continue
        yield place, queue
        ready = queue.lineup.ready
        if i + 1 < len(ready):
            heappush(heads, (ready[i + 1], i + 1, queue))
