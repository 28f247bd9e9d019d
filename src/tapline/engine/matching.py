"""The routing pass's bookkeeping: who is free for an offer, and which request comes next.

The engine keeps the pools of free specialists (AVAILABLE, no pending offer, room on some
channel) by skill, up to date at the start of each pass. A pass walks waiting requests in
one place order across queues (a k-way merge of sorted lists of places); see
docs/subsystems/routing.md for which lists a pass walks and why that is enough.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from heapq import heapify, heappop, heappush

from tapline.engine.lineup import Place
from tapline.engine.presence import MIN_LEVEL, Presence, SpecialistState

_EMPTY: Mapping[str, SpecialistState] = {}


def is_free(spec: SpecialistState) -> bool:
    """Whether an offer may go to them now on some channel."""
    return spec.presence is Presence.AVAILABLE and spec.offered is None and spec.has_capacity()


class Pools:
    """Specialists by skill (level 1 or more), by id."""

    def __init__(self) -> None:
        self._by_skill: dict[str, dict[str, SpecialistState]] = {}
        self._skills: dict[str, tuple[str, ...]] = {}

    def __bool__(self) -> bool:
        return bool(self._skills)

    def __len__(self) -> int:
        return len(self._skills)

    def __contains__(self, specialist_id: object) -> bool:
        return specialist_id in self._skills

    def add(self, spec: SpecialistState) -> None:
        self.discard(spec.specialist_id)
        skills = tuple(skill for skill, level in spec.skills.items() if level >= MIN_LEVEL)
        self._skills[spec.specialist_id] = skills
        for skill in skills:
            self._by_skill.setdefault(skill, {})[spec.specialist_id] = spec

    def discard(self, specialist_id: str) -> None:
        for skill in self._skills.pop(specialist_id, ()):
            pool = self._by_skill[skill]
            del pool[specialist_id]
            if not pool:
                del self._by_skill[skill]

    def refresh(self, spec: SpecialistState) -> bool:
        """Keep `spec` in the pools if free, else take them out; return whether free."""
        if is_free(spec):
            self.add(spec)
            return True
        self.discard(spec.specialist_id)
        return False

    def has(self, skill: str) -> bool:
        return skill in self._by_skill

    def get(self, skill: str) -> Mapping[str, SpecialistState]:
        return self._by_skill.get(skill, _EMPTY)

    def ids(self) -> list[str]:
        return list(self._skills)


def in_place_order(
    sources: Sequence[Sequence[Place]], walking: Callable[[int], bool]
) -> Iterator[tuple[Place, int]]:
    """Places of several sorted lists in one order, each with its list's index.

    List `i` is walked while `walking(i)`, which is asked before each of its places; a list
    that stops being walked is dropped. The lists must not change during the walk.
    """
    heads = [(places[0], i, 0) for i, places in enumerate(sources) if places and walking(i)]
    heapify(heads)  # places are unique per list; a place in two lists is seen twice
    while heads:
        place, i, at = heappop(heads)
        if not walking(i):
            continue
        yield place, i
        places = sources[i]
        if at + 1 < len(places):
            heappush(heads, (places[at + 1], i, at + 1))
