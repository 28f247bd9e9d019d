"""What the engine tells its driver happened. The server turns each into writes and events."""

from __future__ import annotations

from typing import Literal

from tapline.engine.presence import Presence
from tapline.engine.states import DeadEndCause, RequestState
from tapline.engine.values import Value

WithdrawReason = Literal["expired", "declined", "taken", "cancelled", "specialist_left"]
"""Why an offer was withdrawn.

- expired: the specialist let the offer time out;
- declined: the specialist said no;
- taken: reserved for a request taken by someone else (not produced by this engine yet);
- cancelled: the request ended (cancelled by the customer, or a dead end);
- specialist_left: the specialist left AVAILABLE, dropped, or no longer fits the offer.
"""


class StateChanged(Value):
    """A request moved from `old` to `new`.

    `specialist_id` is the specialist concerned: the one the request moves to (offered,
    connected), or else the one it leaves (back to waiting, or its outcome); None if neither.
    """

    __match_args__ = ("request_id", "old", "new", "cause", "specialist_id")
    __slots__ = __match_args__
    request_id: str
    old: RequestState
    new: RequestState
    cause: DeadEndCause | None
    specialist_id: str | None

    def __init__(
        self,
        request_id: str,
        old: RequestState,
        new: RequestState,
        cause: DeadEndCause | None = None,
        specialist_id: str | None = None,
    ) -> None:
        object.__setattr__(self, "request_id", request_id)
        object.__setattr__(self, "old", old)
        object.__setattr__(self, "new", new)
        object.__setattr__(self, "cause", cause)
        object.__setattr__(self, "specialist_id", specialist_id)


class OfferMade(Value):
    __match_args__ = ("request_id", "specialist_id", "expires_at")
    __slots__ = __match_args__
    request_id: str
    specialist_id: str
    expires_at: float

    def __init__(self, request_id: str, specialist_id: str, expires_at: float) -> None:
        object.__setattr__(self, "request_id", request_id)
        object.__setattr__(self, "specialist_id", specialist_id)
        object.__setattr__(self, "expires_at", expires_at)


class OfferWithdrawn(Value):
    __match_args__ = ("request_id", "specialist_id", "reason")
    __slots__ = __match_args__
    request_id: str
    specialist_id: str
    reason: WithdrawReason

    def __init__(self, request_id: str, specialist_id: str, reason: WithdrawReason) -> None:
        object.__setattr__(self, "request_id", request_id)
        object.__setattr__(self, "specialist_id", specialist_id)
        object.__setattr__(self, "reason", reason)


class PresenceChanged(Value):
    """A specialist's presence or load (active chats, capacity) changed."""

    __match_args__ = ("specialist_id", "presence", "active", "capacity")
    __slots__ = __match_args__
    specialist_id: str
    presence: Presence
    active: int
    capacity: int

    def __init__(self, specialist_id: str, presence: Presence, active: int, capacity: int) -> None:
        object.__setattr__(self, "specialist_id", specialist_id)
        object.__setattr__(self, "presence", presence)
        object.__setattr__(self, "active", active)
        object.__setattr__(self, "capacity", capacity)


class QueueChanged(Value):
    """A queue's waiting count (requests waiting or offered) changed."""

    __match_args__ = ("queue_id", "waiting")
    __slots__ = __match_args__
    queue_id: str
    waiting: int

    def __init__(self, queue_id: str, waiting: int) -> None:
        object.__setattr__(self, "queue_id", queue_id)
        object.__setattr__(self, "waiting", waiting)


UnroutableReason = Literal["unqualified", "declined"]
"""Why a request cannot be routed in its queue.

- unqualified: no registered specialist (whatever their presence) meets its requirements,
  even at the widest stage its queue allows, on its channel;
- declined: some do, but every one of them has declined or missed it.
"""


class Unroutable(Value):
    """No registered specialist can ever take the request in its queue, and the queue has no
    fallback: tell the customer and alert supervisors. The request stays waiting at its
    place; if staffing changes so that someone can, `Routable` follows.

    `detail` is for people: what it needs, e.g. `payments >= 3, refund_limit >= 900 (chat)`.
    """

    __match_args__ = ("request_id", "queue_id", "reason", "detail")
    __slots__ = __match_args__
    request_id: str
    queue_id: str
    reason: UnroutableReason
    detail: str

    def __init__(
        self, request_id: str, queue_id: str, reason: UnroutableReason, detail: str
    ) -> None:
        object.__setattr__(self, "request_id", request_id)
        object.__setattr__(self, "queue_id", queue_id)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "detail", detail)


class Routable(Value):
    """A request reported Unroutable can be served again (a specialist was added or changed)."""

    __match_args__ = ("request_id", "queue_id")
    __slots__ = __match_args__
    request_id: str
    queue_id: str

    def __init__(self, request_id: str, queue_id: str) -> None:
        object.__setattr__(self, "request_id", request_id)
        object.__setattr__(self, "queue_id", queue_id)


class QueueFallback(Value):
    """The request moved to its queue's fallback queue because nobody could ever take it there.

    It keeps its enqueued time (so its wait counts from the tap); its requirements become the
    new queue's skill alone. `QueueChanged` for both queues follows.
    """

    __match_args__ = ("request_id", "from_queue", "to_queue", "reason")
    __slots__ = __match_args__
    request_id: str
    from_queue: str
    to_queue: str
    reason: UnroutableReason

    def __init__(
        self, request_id: str, from_queue: str, to_queue: str, reason: UnroutableReason
    ) -> None:
        object.__setattr__(self, "request_id", request_id)
        object.__setattr__(self, "from_queue", from_queue)
        object.__setattr__(self, "to_queue", to_queue)
        object.__setattr__(self, "reason", reason)


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
