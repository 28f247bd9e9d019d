"""The routing pass's bookkeeping: who is free for an offer, and which request comes next.

The engine keeps the pools of free specialists (AVAILABLE, no pending offer, room on some
channel) by skill, up to date at the start of each pass. A pass walks waiting requests in
one place order across queues (a k-way merge of sorted lists of places); see
docs/subsystems/routing.md for which lists a pass walks and why that is enough.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterator, Mapping, Sequence
from heapq import heapify, heappop, heappush
from typing import Final

from tapline.engine.channels import Channel
from tapline.engine.lineup import Place
from tapline.engine.presence import MIN_LEVEL, Presence, SpecialistState
from tapline.engine.routing import Rank

_EMPTY: Final[Mapping[str, SpecialistState]] = {}


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
        if spec.specialist_id in self._skills:
            self.discard(spec.specialist_id)
        skills = tuple(skill for skill, level in spec.skills.items() if level >= MIN_LEVEL)
        self._skills[spec.specialist_id] = skills
        for skill in skills:
            self._by_skill.setdefault(skill, {})[spec.specialist_id] = spec

    def discard(self, specialist_id: str) -> None:
        if specialist_id not in self._skills:
            return
        for skill in self._skills.pop(specialist_id):
            pool = self._by_skill[skill]
            del pool[specialist_id]
            if not pool:
                del self._by_skill[skill]

    def refresh(self, spec: SpecialistState) -> bool:
        """Keep `spec` in the pools if free, else take them out; return whether free.

        A specialist already pooled keeps their skills as pooled: `discard` them first when
        their skills change.
        """
        if is_free(spec):
            if spec.specialist_id not in self._skills:
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


class RankedPools(Pools):
    """Pools that also keep each skill's specialists sorted by a ranking router's key, per
    channel, so that the router's choice is the first eligible one (see routing.RANKING).

    A sorted list is made the first time a (skill, channel) is asked for, then kept up to
    date. Keys are read when a specialist is added or refreshed: whatever changes a key must
    refresh them (the engine marks every changed specialist for the next pass).
    """

    def __init__(self, rank: Callable[[SpecialistState, Channel], Rank]) -> None:
        super().__init__()
        self.rank = rank
        self._ranked: dict[tuple[str, Channel], list[tuple[Rank, SpecialistState]]] = {}
        self._keys: dict[str, dict[Channel, Rank]] = {}  # pooled id -> key per ranked channel
        self._channels: list[Channel] = []

    def add(self, spec: SpecialistState) -> None:
        super().add(spec)
        if not self._channels:
            return
        sid = spec.specialist_id
        keys = self._keys[sid] = {c: self.rank(spec, c) for c in self._channels}
        ranked = self._ranked
        for skill in self._skills[sid]:
            for channel, key in keys.items():
                line = ranked.get((skill, channel))
                if line is not None:
                    insort(line, (key, spec))

    def discard(self, specialist_id: str) -> None:
        if specialist_id not in self._skills:
            return
        keys = self._keys.pop(specialist_id, None)
        if keys is not None:
            ranked = self._ranked
            for skill in self._skills[specialist_id]:
                for channel, key in keys.items():
                    line = ranked.get((skill, channel))
                    if line is not None:
                        at = bisect_left(line, (key,))
                        assert line[at][1] is self._by_skill[skill][specialist_id]
                        del line[at]
        super().discard(specialist_id)

    def refresh(self, spec: SpecialistState) -> bool:
        keys = self._keys.get(spec.specialist_id)
        if keys is not None and is_free(spec):
            for channel, key in keys.items():
                if self.rank(spec, channel) != key:
                    self.discard(spec.specialist_id)  # added back with its new keys
                    break
        return super().refresh(spec)

    def ranked(self, skill: str, channel: Channel) -> Sequence[tuple[Rank, SpecialistState]]:
        """The skill's pooled specialists in key order for `channel`. Do not change it."""
        line = self._ranked.get((skill, channel))
        if line is None:
            if channel not in self._channels:
                self._channels.append(channel)
                for pool in self._by_skill.values():
                    for sid, spec in pool.items():
                        self._keys.setdefault(sid, {})[channel] = self.rank(spec, channel)
            pool = self._by_skill.get(skill, {})
            line = sorted((self._keys[sid][channel], spec) for sid, spec in pool.items())
            self._ranked[(skill, channel)] = line
        return line


def in_place_order(
    sources: Sequence[Sequence[Place]], walking: Callable[[int], bool]
) -> Iterator[tuple[Place, int]]:
    """Places of several sorted lists in one order, each with its list's index.

    List `i` is walked while `walking(i)`, which is asked before each of its places; a list
    that stops being walked is dropped. The lists must not change during the walk.
    """
    if len(sources) == 1:  # nothing to merge
        for place in sources[0]:
            if not walking(0):
                return
            yield place, 0
        return
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
