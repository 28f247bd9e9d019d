"""The shapes the socket frames carry, and their values (docs/protocol.md, Shapes).

`protocol.py` builds the frames from them. Like the frames they are closed (`extra="forbid"`)
and strict, but for the two the protocol leaves open: the customer's `Context` and a context
field's extra keys.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CLIENT_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
"""A write's client-made `id` (as `web.wire.CLIENT_ID`; the server also refuses card numbers)."""
SLOT_MS_MAX = 4_102_444_800_000
"""2100-01-01 in ms: the latest slot start (as `actions.callbacks.SLOT_MS_MAX`)."""

ClientId = Annotated[str, Field(pattern=CLIENT_ID_PATTERN)]
Ms = Annotated[int, Field(description="Unix epoch milliseconds.")]

RequestState = Literal[
    "new", "scheduled", "waiting", "offered", "connected", "resolved", "cancelled", "dead_end"
]
DeadEndCause = Literal[
    "abandoned", "lost_on_disconnect", "missed_callback", "unresolved", "no_specialist"
]
Disposition = Literal["resolved", "resolved_with_followup", "not_resolved", "duplicate"]
Channel = Literal["chat", "voice", "video"]
Presence = Literal["available", "busy", "away", "offline"]
ChoosablePresence = Literal["available", "busy", "away"]
ErrorCode = Literal[
    "bad_json",
    "bad_frame",
    "too_large",
    "unknown_type",
    "not_allowed",
    "not_found",
    "invalid_state",
    "rate_limited",
    "hello_required",
    "stale_seq",
    "busy",
    "unavailable",
    "too_many_sockets",
    "slot_full",
    "slot_past",
    "slot_closed",
]


class Closed(BaseModel):
    """A shape with exactly these fields, of exactly these types."""

    model_config = ConfigDict(extra="forbid", strict=True)


# -- Shapes ---------------------------------------------------------------------------------


class SpecialistRef(Closed):
    name: str
    role: str


class QueueRef(Closed):
    id: str
    name: str


class Message(Closed):
    """One message of a thread (`views.message`). `body` is plain text."""

    id: int
    client_id: str
    sender: Literal["customer", "specialist", "system"]
    author: str
    body: str
    at: Ms


class Claimed(Closed):
    """What the app sent unsigned beside a valid token (only the keys it sent)."""

    name: str | None = None
    email: str | None = None


class Customer(Closed):
    """Who the customer is (`views.customer`); `claimed` only beside a verified identity."""

    verified: bool
    id: str | None
    name: str | None
    email: str | None
    claimed: Claimed | None = None


class ContextField(BaseModel):
    """A form field the SDK reports; a masked one never carries `value`."""

    model_config = ConfigDict(extra="allow", strict=True)
    filled: bool
    masked: bool | None = None


class Context(BaseModel):
    """The customer's app state as the SDK made it, sanitized (`sanitize.context`): every key
    is the app's choice; `fields` is always there, `errors` and `journey` are lists."""

    model_config = ConfigDict(extra="allow", strict=True)
    fields: list[ContextField]
    errors: list[Any] | None = None
    journey: list[Any] | None = None


UaClass = Literal["phone", "tablet", "desktop", "unknown"]


class StepChange(Closed):
    step: str
    at: Ms


class Furthest(Closed):
    """A source's furthest step (`sources.apply`): its rank, when, and its context then."""

    step: str | None
    rank: int | None
    at: Ms | None
    context: Context | None = Field(
        description="In a snapshot always; in an event only when the furthest step moved "
        "with it (then it is the event's context): otherwise keep the one you have."
    )


class ContextSource(Closed):
    """Where a context came from (`sources.wire`): one tab or device of the customer."""

    id: str = Field(description='`device/tab`, or "" for a context without a tag.')
    tab: str | None
    device: str | None
    ua: UaClass
    step: str | None
    step_rank: int | None = Field(description="The step's rank: see docs/protocol.md.")
    furthest: Furthest
    history: list[StepChange] = Field(description="Its step changes, oldest first (at most 20).")
    updated_at: Ms


class CustomerPresence(Closed):
    """here: a page shown; away: pages open but hidden; gone: no socket (since when)."""

    state: Literal["here", "away", "gone"]
    since: Ms | None


class Callback(Closed):
    """A callback as the widget and desk see it (`views.callback`)."""

    id: str = Field(description="The request's id.")
    kind: Literal["in_queue", "scheduled"]
    state: Literal[
        "promised",
        "ringing",
        "retrying",
        "answered",
        "missed",
        "requeued",
        "cancelled",
        "rescheduled",
    ]
    window_start: Ms
    window_end: Ms
    slot_start: Ms | None
    attempts: int
    kept: bool | None


class Offer(Closed):
    """A request offered to a specialist (`views.offer`)."""

    request_id: str
    channel: Channel
    priority: int
    callback: Callback | None
    offered_at: Ms
    expires_at: Ms
    queue: QueueRef | None
    customer: Customer
    description: str
    context: Context
    at: Ms = Field(description="When the request was made.")


class RequestDetail(Closed):
    """A request as the desk shows it (`views.request_detail`)."""

    id: str
    channel: Channel
    callback: Callback | None
    state: RequestState
    cause: DeadEndCause | None
    queue: QueueRef | None
    customer: Customer
    description: str
    context: Context
    messages: list[Message]
    created_at: Ms
    connected_at: Ms | None
    disposition: Disposition | None
    note: str | None
    rating: int | None
    ended_at: Ms | None
    sources: list[ContextSource] = Field(description="Where its context came from.")
    presence: CustomerPresence | None


class Options(Closed):
    """What the widget offers besides waiting (`waits._options`)."""

    open: bool
    wait: bool
    callback: bool
    schedule: bool
    next_open: Ms | None
    reason: Literal["long_wait", "closed", "no_one"] | None


class QueueCount(Closed):
    id: str
    name: str
    waiting: int


class SpecialistCounts(Closed):
    available: int
    busy: int
    away: int
    offline: int


class KeptCount(Closed):
    kept: int
    total: int


class Today(Closed):
    """docs/protocol.md, Wallboard, defines each figure; the four parts add up to `offered`."""

    offered: int
    answered: int
    within_target: int
    abandoned: int
    waiting: int
    waiting_over_target: int
    ended_unanswered: int
    settled: int
    service_level: float | None
    target_seconds: float
    dead_ends: dict[DeadEndCause, int]


class WallboardQueue(Closed):
    id: str
    name: str
    open: bool
    waiting: int
    oldest_wait: float | None = Field(description="Seconds; null when nobody waits.")
    specialists: SpecialistCounts
    callbacks_due: int
    callbacks_kept: KeptCount
    today: Today
