"""What a waiting request needs of a specialist now, at each widening stage.

A `Need` is the compiled form the routing pass checks: the queue's skill, the minimum levels,
the authority constraints (resolved) and the channel. Needs are interned (equal needs are the
same object), so a pass can remember per specialist which needs they meet by the need's
number, and the reachability cache can key on the object itself.

Stages (see QueuePolicy): 0 is the request's requirements as given; 1 (after T1) lowers each
minimum level by one, never below 1; 2 (after T2) keeps only the queue's skill at level 1 and
the authority constraints not marked `widen`.
"""

from __future__ import annotations

from itertools import count
from typing import Final

from tapline.engine.channels import Channel
from tapline.engine.presence import MIN_LEVEL, SpecialistState
from tapline.engine.requirements import Constraint, Requirements

NeedKey = tuple[tuple[tuple[str, int], ...], tuple[Constraint, ...], Channel]

_TABLE_LIMIT: Final = 100_000


class Need:
    """One compiled, interned need. Compared and hashed by identity."""

    __slots__ = ("authority", "channel", "levels", "nid", "skill")

    def __init__(
        self,
        nid: int,
        skill: str,
        levels: tuple[tuple[str, int], ...],
        authority: tuple[Constraint, ...],
        channel: Channel,
    ) -> None:
        self.nid = nid
        self.skill = skill
        """The queue's skill (always among `levels`)."""
        self.levels = levels
        self.authority = authority
        self.channel = channel

    def __repr__(self) -> str:
        return f"Need({self.describe()})"

    def describe(self) -> str:
        """For people: `payments >= 3, refund_limit >= 150 (chat)`."""
        parts = [f"{skill} >= {level}" for skill, level in self.levels]
        parts += [str(constraint) for constraint in self.authority]
        return f"{', '.join(parts)} ({self.channel})"


def fits(spec: SpecialistState, need: Need) -> bool:
    """Whether `spec` meets `need` whatever their load and presence (skills, authority, channel)."""
    skills = spec.skills
    for skill, level in need.levels:
        if skills.get(skill, 0) < level:
            return False
    authority = spec.authority
    for constraint in need.authority:
        if not constraint.allows(authority.get(constraint.attribute)):
            return False
    return spec.capacity_for(need.channel) > 0


class NeedTable:
    """Interns needs and derives a request's needs at every stage."""

    def __init__(self) -> None:
        self._table: dict[tuple[str, NeedKey], Need] = {}
        self._stages: dict[tuple[str, Requirements, Channel], tuple[Need, Need, Need]] = {}
        self._ids = count(1)

    def intern(
        self,
        skill: str,
        levels: tuple[tuple[str, int], ...],
        authority: tuple[Constraint, ...],
        channel: Channel,
    ) -> Need:
        key = (skill, (levels, authority, channel))
        need = self._table.get(key)
        if need is None:
            if len(self._table) >= _TABLE_LIMIT:
                self._table.clear()  # only sharing is lost; needs in use stay valid
                self._stages.clear()
            need = Need(next(self._ids), skill, levels, authority, channel)
            self._table[key] = need
        return need

    def stages(
        self, skill: str, requirements: Requirements, channel: Channel
    ) -> tuple[Need, Need, Need]:
        """The request's needs at stages 0, 1 and 2, in a queue needing `skill`."""
        key = (skill, requirements, channel)
        known = self._stages.get(key)
        if known is None:
            if len(self._stages) >= _TABLE_LIMIT:
                self._stages.clear()
            known = self._stages[key] = self._derive(skill, requirements, channel)
        return known

    def _derive(
        self, skill: str, requirements: Requirements, channel: Channel
    ) -> tuple[Need, Need, Need]:
        levels = dict(requirements.skills)
        levels[skill] = max(levels.get(skill, MIN_LEVEL), MIN_LEVEL)
        full = tuple(sorted(levels.items()))
        lower = tuple((s, max(MIN_LEVEL, v - 1)) for s, v in full)
        kept = tuple(c for c in requirements.authority if not c.widen)
        return (
            self.intern(skill, full, requirements.authority, channel),
            self.intern(skill, lower, requirements.authority, channel),
            self.intern(skill, ((skill, MIN_LEVEL),), kept, channel),
        )
