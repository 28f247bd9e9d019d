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


UnroutableReason = Literal["unqualified", "declined"]
"""Why a request cannot be routed in its queue.

- unqualified: no registered specialist (whatever their presence) meets its requirements,
  even at the widest stage its queue allows, on its channel;
- declined: some do, but every one of them has declined or missed it.
"""


@dataclass(frozen=True, slots=True)
class Unroutable:
    """No registered specialist can ever take the request in its queue, and the queue has no
    fallback: tell the customer and alert supervisors. The request stays waiting at its
    place; if staffing changes so that someone can, `Routable` follows."""

    request_id: str
    queue_id: str
    reason: UnroutableReason
    detail: str
    """For people: what it needs, e.g. `payments >= 3, refund_limit >= 900 (chat)`."""


@dataclass(frozen=True, slots=True)
class Routable:
    """A request reported Unroutable can be served again (a specialist was added or changed)."""

    request_id: str
    queue_id: str


@dataclass(frozen=True, slots=True)
class QueueFallback:
    """The request moved to its queue's fallback queue because nobody could ever take it there.

    It keeps its enqueued time (so its wait counts from the tap); its requirements become the
    new queue's skill alone. `QueueChanged` for both queues follows.
    """

    request_id: str
    from_queue: str
    to_queue: str
    reason: UnroutableReason


Effect = (
    StateChanged
    | OfferMade
    | OfferWithdrawn
    | PresenceChanged
    | QueueChanged
    | Unroutable
    | Routable
    | QueueFallback
)
