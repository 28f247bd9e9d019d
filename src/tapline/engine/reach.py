"""Which registered specialists could ever meet a need: whatever their presence and load.

A request whose need at its widest stage nobody registered meets (or only people who have
declined or missed it) cannot be routed in its queue: the engine moves it to the queue's
fallback or reports it (`Unroutable`). The sets are cached per need and kept up to date when
a specialist is registered or changed. A need no request uses any more stays cached (a queue
that empties every few seconds would otherwise rebuild its set, O(specialists), on most
submits); only the least recently used of those idle needs are dropped, beyond `IDLE_LIMIT`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Final, Protocol

from tapline.engine.needs import Need, fits
from tapline.engine.presence import SpecialistState

IDLE_LIMIT: Final = 256
"""Needs kept cached while no request uses them (each costs a `fits` per specialist update)."""


class BySkill(Protocol):
    def get(self, skill: str) -> Mapping[str, SpecialistState]: ...


class Reach:
    def __init__(self, by_skill: BySkill) -> None:
        self._by_skill = by_skill
        self._able: dict[Need, dict[str, None]] = {}
        self._idle: OrderedDict[Need, None] = OrderedDict()

    def able(self, need: Need) -> Mapping[str, None]:
        """Ids of the registered specialists who meet `need`, in registration order."""
        able = self._able.get(need)
        if able is None:
            able = {
                sid: None
                for sid, spec in self._by_skill.get(need.skill).items()
                if fits(spec, need)
            }
            self._able[need] = able
        elif self._idle:
            self._idle.pop(need, None)
        return able

    def update(self, spec: SpecialistState) -> list[Need]:
        """`spec` was registered or changed: the cached needs whose set changed."""
        changed: list[Need] = []
        sid = spec.specialist_id
        for need, able in self._able.items():
            now = fits(spec, need)
            if now != (sid in able):
                if now:
                    able[sid] = None
                else:
                    del able[sid]
                changed.append(need)
        return changed

    def forget(self, need: Need) -> None:
        """No request uses `need` now: keep its set, dropping the oldest idle beyond the limit."""
        if need not in self._able:
            return
        self._idle[need] = None
        self._idle.move_to_end(need)
        while len(self._idle) > IDLE_LIMIT:
            old, _ = self._idle.popitem(last=False)
            del self._able[old]
