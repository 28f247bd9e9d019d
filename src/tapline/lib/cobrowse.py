"""Co-browse's passing state: who asked to see whose page, whether the customer allowed it,
and how much the recording may carry (docs/subsystems/cobrowse.md).

Held in memory by the node that owns the engine (every frame of both sockets is forwarded
there, docs/subsystems/nodes.md), never stored: the recording is not the conversation's
record. What is recorded (asked for, allowed, stopped) goes through `actions.cobrowse`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from tapline.lib.runtime import Runtime

State = Literal["asked", "live"]
StopReason = Literal[
    "customer",
    "specialist",
    "specialist_left",
    "too_much_data",
    "card_number",
    "ended",
    "connection_lost",
]

EVENTS_PER_FRAME = 1000
"""rrweb events one `cobrowse_events` frame may carry (the frame's bytes are capped too, by
`frame_bytes`: that is the largest snapshot a page may have)."""
EVENTS_PER_SECOND = 300.0
EVENTS_BURST = 1500.0
BYTES_PER_SECOND = 200_000.0
BYTES_BURST = 400_000.0
"""Past either rate the session stops (`too_much_data`): a page that busy is not one a
specialist can follow, and the relay is not a video stream."""


class Bucket:
    """A token bucket that takes any amount (events, bytes) at once."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.at = burst, now

    def take(self, amount: float, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if amount > self.tokens:
            return False
        self.tokens -= amount
        return True


@dataclass
class Session:
    specialist_id: str
    specialist_name: str
    state: State
    events: Bucket
    bytes: Bucket

    def within(self, count: int, size: int, now: float) -> bool:
        """Whether a frame of `count` events and `size` bytes stays within the rates."""
        return self.events.take(count, now) and self.bytes.take(size, now)


def sessions(rt: Runtime) -> dict[str, Session]:
    """request id -> its co-browse session, on this runtime."""
    found: dict[str, Session] | None = getattr(rt, "_cobrowse_sessions", None)
    if found is None:
        found = {}
        setattr(rt, "_cobrowse_sessions", found)  # noqa: B010 (a typed field is others')
    return found


def new_session(rt: Runtime, specialist_id: str, name: str) -> Session:
    now = rt.clock.now()
    return Session(
        specialist_id,
        name,
        "asked",
        Bucket(EVENTS_PER_SECOND, EVENTS_BURST, now),
        Bucket(BYTES_PER_SECOND, BYTES_BURST, now),
    )


def events_of(frame: dict[str, Any]) -> list[dict[str, Any]]:
    """The rrweb events a `cobrowse_events` frame carries, checked for shape only."""
    events = frame.get("events")
    if not isinstance(events, list) or not events:
        raise ValueError("`events` is a non-empty list of rrweb events.")
    if len(events) > EVENTS_PER_FRAME:
        raise ValueError(f"At most {EVENTS_PER_FRAME} events a frame.")
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("type"), int):
            raise ValueError("Each event is an rrweb event: an object with an integer `type`.")
    return events


TEXT_KEYS = frozenset({"textContent", "value", "text"})
"""Where rrweb puts what a page says: text nodes, changed texts, inputs (already masked)."""
NOT_TEXT = frozenset({"d", "points", "viewBox", "transform", "style", "_cssText", "class"})
"""Attributes of numbers that are not text (SVG geometry, CSS): a path's coordinates would
look like card numbers."""


def texts(value: Any, key: str | None = None, attribute: bool = False) -> Iterator[str]:
    """The strings of rrweb events that a person reads: texts and attribute values."""
    if isinstance(value, str):
        if (attribute and key not in NOT_TEXT) or key in TEXT_KEYS:
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from texts(v, k, attribute or key == "attributes")
    elif isinstance(value, list):
        for item in value:
            yield from texts(item, key, attribute)
