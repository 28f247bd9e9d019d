"""A specialist's presence and what the engine knows of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from tapline.engine.channels import CALLS, Channel


class Presence(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    """Set by the specialist by hand; the engine never sets it from capacity."""
    AWAY = "away"
    OFFLINE = "offline"


MIN_LEVEL: Final = 1
MAX_LEVEL: Final = 5

AuthorityValue = bool | int | float | str


@dataclass
class SpecialistState:
    specialist_id: str
    skills: dict[str, int]
    """Skill -> level, 1 (some) to 5 (expert)."""
    capacity: int
    """How many chats they take at once."""
    presence: Presence = Presence.OFFLINE
    active: set[str] = field(default_factory=set)
    """Ids of the requests connected to them, on every channel."""
    offered: str | None = None
    """Id of the request of their one pending offer."""
    idle_since: float = 0.0
    """When they last became available, took a request or finished one (longest idle first)."""
    authority: dict[str, AuthorityValue] = field(default_factory=dict)
    """Authority attributes, e.g. {"refund_limit": 500, "can_override_fare": True}."""
    call_capacity: dict[Channel, int] = field(default_factory=dict)
    """Voice and video capacity (a channel left out is 0). One call at a time, of either."""
    calls: dict[str, Channel] = field(default_factory=dict)
    """The active requests that are calls (voice or video), and their channel."""

    def capacity_for(self, channel: Channel) -> int:
        if channel is Channel.CHAT:
            return self.capacity
        return self.call_capacity.get(channel, 0)

    def load(self, channel: Channel) -> int:
        """How many active requests hold capacity of `channel` (a call holds both call kinds)."""
        if channel is Channel.CHAT:
            return len(self.active) - len(self.calls)
        return len(self.calls)

    def has_room(self, channel: Channel) -> bool:
        """Whether they have room for one more request on `channel`."""
        if channel is Channel.CHAT:
            return len(self.active) - len(self.calls) < self.capacity
        return not self.calls and self.call_capacity.get(channel, 0) > 0

    def has_capacity(self, channel: Channel | None = None) -> bool:
        """Whether they have room for one more request on `channel`, or on any channel."""
        if channel is not None:
            return self.has_room(channel)
        if len(self.active) - len(self.calls) < self.capacity:  # room for a chat
            return True
        if self.calls or not self.call_capacity:  # one call at a time, of either kind
            return False
        return any(self.call_capacity.get(c, 0) > 0 for c in CALLS)

    def can_take(self, skill: str, channel: Channel = Channel.CHAT) -> bool:
        """Whether an offer for a request needing `skill` (on `channel`) may go to them now."""
        return (
            self.presence is Presence.AVAILABLE
            and self.skills.get(skill, 0) >= MIN_LEVEL
            and self.has_room(channel)
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
            authority=dict(self.authority),
            call_capacity=dict(self.call_capacity),
            calls=dict(self.calls),
        )
