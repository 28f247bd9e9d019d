"""What the engine tells its driver happened. The server turns each into writes and events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tapline.engine.presence import Presence
from tapline.engine.states import DeadEndCause, RequestState

WithdrawReason = Literal["expired", "declined", "taken", "cancelled", "specialist_left"]
"""Why an offer was withdrawn.

- expired: the specialist let the offer time out;
- declined: the specialist said no;
- taken: reserved for a request taken by someone else (not produced by this engine yet);
- cancelled: the request ended (cancelled by the customer, or a dead end);
- specialist_left: the specialist left AVAILABLE, dropped, or no longer fits the offer.
"""


@dataclass(frozen=True, slots=True)
class StateChanged:
    """A request moved from `old` to `new`.

    `specialist_id` is the specialist concerned: the one the request moves to (offered,
    connected), or else the one it leaves (back to waiting, or its outcome); None if neither.
    """

    request_id: str
    old: RequestState
    new: RequestState
    cause: DeadEndCause | None = None
    specialist_id: str | None = None


@dataclass(frozen=True, slots=True)
class OfferMade:
    request_id: str
    specialist_id: str
    expires_at: float


@dataclass(frozen=True, slots=True)
class OfferWithdrawn:
    request_id: str
    specialist_id: str
    reason: WithdrawReason


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    """A specialist's presence or load (active chats, capacity) changed."""

    specialist_id: str
    presence: Presence
    active: int
    capacity: int


@dataclass(frozen=True, slots=True)
class QueueChanged:
    """A queue's waiting count (requests waiting or offered) changed."""

    queue_id: str
    waiting: int


Effect = StateChanged | OfferMade | OfferWithdrawn | PresenceChanged | QueueChanged
