"""A specialist's presence and what the engine knows of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Presence(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    """Set by the specialist by hand; the engine never sets it from capacity."""
    AWAY = "away"
    OFFLINE = "offline"


MIN_LEVEL = 1
MAX_LEVEL = 5


@dataclass
class SpecialistState:
    specialist_id: str
    skills: dict[str, int]
    """Skill -> level, 1 (some) to 5 (expert)."""
    capacity: int
    """How many chats they take at once."""
    presence: Presence = Presence.OFFLINE
    active: set[str] = field(default_factory=set)
    """Ids of the requests connected to them."""
    offered: str | None = None
    """Id of the request of their one pending offer."""
    idle_since: float = 0.0
    """When they last had spare capacity after being full, or became available."""

    def has_capacity(self) -> bool:
        """Whether they have room for one more chat."""
        return len(self.active) < self.capacity

    def can_take(self, skill: str) -> bool:
        """Whether an offer for a request needing `skill` may go to them now."""
        return (
            self.presence is Presence.AVAILABLE
            and self.skills.get(skill, 0) >= MIN_LEVEL
            and self.has_capacity()
            and self.offered is None
        )

    def copy(self) -> SpecialistState:
        """A copy whose sets and dicts are not shared with this one."""
        return SpecialistState(
            specialist_id=self.specialist_id,
            skills=dict(self.skills),
            capacity=self.capacity,
            presence=self.presence,
            active=set(self.active),
            offered=self.offered,
            idle_since=self.idle_since,
        )
