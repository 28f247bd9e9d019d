"""How a customer talks to a specialist, and how many of each a specialist takes at once."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from tapline.engine.errors import InvalidArgument


class Channel(StrEnum):
    CHAT = "chat"
    VOICE = "voice"
    VIDEO = "video"


CALLS: Final = frozenset({Channel.VOICE, Channel.VIDEO})
"""The channels that are calls: a specialist on one takes no new one, of either kind."""


def channel(value: str) -> Channel:
    """`value` as a Channel, or InvalidArgument."""
    if isinstance(value, Channel):  # the usual case, without the enum's lookup by value
        return value
    try:
        return Channel(value)
    except ValueError:
        raise InvalidArgument(f"{value!r} is not a channel (chat, voice, video)") from None


def capacities(capacity: int | Mapping[str, object]) -> tuple[int, dict[Channel, int]]:
    """(chat capacity, call capacities) from `set_specialist`'s `capacity`.

    An int is the chat capacity alone (no calls), as before channels existed; a mapping gives
    each channel its own, e.g. {"chat": 3, "voice": 1, "video": 1}. A channel left out is 0.
    """
    # values are checked as objects: a compiled engine would turn True into 1 in an int
    items: dict[Channel, object] = (
        {Channel.CHAT: capacity}
        if isinstance(capacity, int)
        else {channel(name): value for name, value in capacity.items()}
    )
    counts: dict[Channel, int] = {}
    for name, value in items.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidArgument(f"capacity for {name} must be 0 or more, not {value!r}")
        counts[name] = value
    chat = counts.pop(Channel.CHAT, 0)
    return chat, {name: value for name, value in counts.items() if value > 0}
