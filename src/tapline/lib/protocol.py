"""The WebSocket protocol as types: every client frame and every frame the server sends.

docs/protocol.md says what each frame means; these models say what it holds, as the code
emits it today (`web/wire.py`, `web/sockets/`, `actions/`, `waits.py`, `wallboard.py`); the
shapes they carry are `shapes.py`. Each socket has its own unions, discriminated on `type`,
because a few types differ between them (`hello`, `welcome`, client `message` and `typing`,
and `request.state`, whose payload depends on the stream it is written to):

- `CustomerClientFrame`, `CustomerServerFrame`: `/ws/customer` (the widget);
- `DeskClientFrame`, `DeskServerFrame`: `/ws/specialist` (the desk).

Client frames are closed (`extra="forbid"`) and strict (no "5" for 5): they describe what a
well-formed client sends. The server reads more leniently than that (it ignores fields it
does not know, and refuses bad values with an `error` signal), so these models are not its
parser. Server frames are closed too, with two exceptions the protocol leaves open: the
customer's `Context` (the app decides what it holds) and a context field's extra keys.

`json_schema()` is the JSON Schema of all four unions, published at `/api/v1/protocol.json`
(`web/api/protocol.py`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from tapline.lib.shapes import (
    CLIENT_ID_PATTERN,
    SLOT_MS_MAX,
    Callback,
    ChoosablePresence,
    ClientId,
    Closed,
    Context,
    ContextSource,
    CustomerPresence,
    DeadEndCause,
    Disposition,
    ErrorCode,
    Message,
    Ms,
    Offer,
    Options,
    Presence,
    QueueCount,
    RequestDetail,
    RequestState,
    SpecialistRef,
    WallboardQueue,
)

Socket = Literal["customer", "desk"]
CobrowseState = Literal["asked", "live", "declined", "stopped"]

__all__ = [
    "CLIENT_ID_PATTERN",
    "PATHS",
    "CustomerClientFrame",
    "CustomerServerFrame",
    "DeskClientFrame",
    "DeskServerFrame",
    "Socket",
    "client_adapter",
    "frame_types",
    "json_schema",
    "server_adapter",
]


# -- Acknowledgements -----------------------------------------------------------------------


class NoResult(Closed):
    """`{}`: context, rate, accept, decline."""


class MessageResult(Closed):
    message_id: int


class StateResult(Closed):
    """cancel, resolve, cancel_callback: the request's state after it."""

    state: RequestState


class StatusResult(Closed):
    status: ChoosablePresence


class CallbackResult(Closed):
    """callback, schedule, reschedule, answer."""

    callback: Callback


class CobrowseResult(Closed):
    """cobrowse_ask, cobrowse_consent, cobrowse_stop: the co-browse session's state after it."""

    state: CobrowseState


AckResult = NoResult | MessageResult | StateResult | StatusResult | CallbackResult | CobrowseResult


# -- Signals (no seq) -----------------------------------------------------------------------


class Ack(Closed):
    type: Literal["ack"]
    id: str = Field(description="The client id of the frame acknowledged.")
    result: AckResult


class Error(Closed):
    type: Literal["error"]
    code: ErrorCode
    message: str
    ref: str | None = Field(description="The client id of the frame refused, if it had one.")
    retry_after: float | None = Field(
        None, description="Seconds; only with `busy` and `unavailable`: send it again then."
    )


class Pong(Closed):
    type: Literal["pong"]


class Typing(Closed):
    type: Literal["typing"]
    request_id: str
    from_: Literal["customer", "specialist"] = Field(alias="from")
    active: bool


class CustomerWelcome(Closed):
    type: Literal["welcome"]
    request_id: str
    state: RequestState
    last_seq: int


class DeskWelcome(Closed):
    type: Literal["welcome"]
    specialist_id: str
    last_seq: int


class Estimate(Closed):
    """The customer's wait (`waits.wire` and `_tell`): seconds, null with nobody to take it."""

    type: Literal["estimate"]
    request_id: str
    position: int
    mean: int | None
    low: int | None
    high: int | None
    at: Ms
    options: Options | None = Field(None, description="Absent only if its queue is unknown.")


class Queues(Closed):
    type: Literal["queues"]
    queues: list[QueueCount]


class Config(Closed):
    """Supervisors: a configuration write committed (`actions.config.notify`)."""

    type: Literal["config"]
    what: Literal["queue", "specialist", "rules", "shift"]
    id: str | None
    change: Literal[
        "created", "updated", "deleted", "archived", "restored", "deactivated", "reactivated"
    ]


class Wallboard(Closed):
    """Supervisors, at most once a second while anything changes (`wallboard.build`)."""

    type: Literal["wallboard"]
    at: Ms
    queues: list[WallboardQueue]


class Alert(Closed):
    """Supervisors: nobody can ever take a request where it is (`actions.effects._reach`)."""

    type: Literal["alert"]
    kind: Literal["unroutable"]
    request_id: str
    queue_id: str
    reason: Literal["unqualified", "declined"]
    detail: str


class SignedOut(Closed):
    """The desk session ended; the socket closes with 4401 next."""

    type: Literal["signed_out"]


class CobrowseAsked(Closed):
    """The customer's widget: a specialist asks to see the page (prompt; nothing recorded)."""

    type: Literal["cobrowse.asked"]
    request_id: str
    name: str = Field(description="The specialist's name, for the prompt and the banner.")


class SessionExtendAsked(Closed):
    """The customer's widget: the specialist asks the app for more time (the SDK fires `hold`)."""

    type: Literal["session.extend"]
    request_id: str


class CobrowseEvents(Closed):
    """The desk of the specialist the customer allowed: rrweb events of the page, relayed."""

    type: Literal["cobrowse.events"]
    request_id: str
    events: list[dict[str, Any]]


# -- Events (with seq) ----------------------------------------------------------------------


class Event(Closed):
    seq: int = Field(ge=1)
    at: Ms


class CustomerRequestState(Event):
    type: Literal["request.state"]
    request_id: str
    state: RequestState
    cause: DeadEndCause | None
    specialist: SpecialistRef | None


class DeskRequestState(Event):
    """On the stream of the specialist the request leaves (resolved, back to waiting, …)."""

    type: Literal["request.state"]
    request_id: str
    state: RequestState
    cause: DeadEndCause | None
    disposition: Disposition | None
    note: str | None
    rating: int | None


class MessageEvent(Event):
    type: Literal["message"]
    request_id: str
    message: Message


class OfferEvent(Event):
    type: Literal["offer"]
    offer: Offer


class OfferWithdrawn(Event):
    type: Literal["offer.withdrawn"]
    request_id: str
    reason: Literal["expired", "declined", "taken", "cancelled", "specialist_left"]


class RequestAssigned(Event):
    type: Literal["request.assigned"]
    request: RequestDetail


class ContextUpdated(Event):
    type: Literal["context.updated"]
    request_id: str
    context: Context
    source: ContextSource | None = Field(
        None, description="The tab or device it came from (its current context is `context`)."
    )


class CustomerPresenceEvent(Event):
    """The specialist holding the request: the customer is here, away, or gone."""

    type: Literal["customer.presence"]
    request_id: str
    presence: CustomerPresence


class PresenceEvent(Event):
    type: Literal["presence"]
    status: Presence
    active: int
    capacity: int


class RequestRated(Event):
    type: Literal["request.rated"]
    request_id: str
    score: int = Field(ge=1, le=5)
    comment: str | None


class CallbackEvent(Event):
    type: Literal["callback"]
    request_id: str
    callback: Callback


class CallbackRing(Event):
    type: Literal["callback.ring"]
    request_id: str
    attempt: int
    expires_at: Ms
    specialist: SpecialistRef | None


class CallbackRingEnded(Event):
    type: Literal["callback.ring_ended"]
    request_id: str
    reason: Literal["answered", "no_answer", "cancelled", "rescheduled", "specialist_left"]


class CobrowseEvent(Event):
    """Both sides: co-browse asked, allowed (`live`), declined, or stopped, by whom, why."""

    type: Literal["cobrowse"]
    request_id: str
    state: CobrowseState
    by: Literal["customer", "specialist", "tapline"]
    reason: (
        Literal[
            "customer",
            "specialist",
            "specialist_left",
            "too_much_data",
            "card_number",
            "ended",
            "connection_lost",
        ]
        | None
    )


# -- Client frames --------------------------------------------------------------------------


class Ping(Closed):
    type: Literal["ping"]


class Write(Closed):
    id: ClientId


class CustomerHello(Closed):
    type: Literal["hello"]
    request_id: str
    token: str = Field(description="The request's `customer_token`.")
    last_seq: int = Field(0, ge=0)
    visible: bool = Field(True, description="Whether the page is shown now.")


class CustomerMessage(Write):
    type: Literal["message"]
    body: str = Field(min_length=1, description="At most `message_bytes` UTF-8 bytes.")


class CustomerContext(Write):
    type: Literal["context"]
    context: dict[str, Any] = Field(description="Replaces the context; see Context.")


class Visibility(Closed):
    """A signal: this socket's page was shown or hidden (the customer's presence)."""

    type: Literal["visibility"]
    visible: bool


class CustomerTyping(Closed):
    type: Literal["typing"]
    active: bool


class Cancel(Write):
    type: Literal["cancel"]


class Rate(Write):
    type: Literal["rate"]
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=1000)


class WantCallback(Write):
    type: Literal["callback"]


class Schedule(Write):
    type: Literal["schedule"]
    slot: Ms = Field(ge=0, le=SLOT_MS_MAX, description="A slot's start.")


class Reschedule(Write):
    type: Literal["reschedule"]
    slot: Ms = Field(ge=0, le=SLOT_MS_MAX, description="A slot's start.")


class CancelCallback(Write):
    type: Literal["cancel_callback"]


class Answer(Write):
    type: Literal["answer"]
    accept: bool


class CobrowseConsent(Write):
    type: Literal["cobrowse_consent"]
    allow: bool


class CustomerCobrowseStop(Write):
    type: Literal["cobrowse_stop"]


class CobrowseEventsFrame(Closed):
    type: Literal["cobrowse_events"]
    events: list[dict[str, Any]] = Field(
        min_length=1, max_length=1000, description="rrweb events (each an object with `type`)."
    )


class DeskHello(Closed):
    type: Literal["hello"]
    last_seq: int = Field(0, ge=0)
    watch: bool = Field(False, description="A wall display: no offers, not made present.")


class SetPresence(Write):
    type: Literal["presence"]
    status: ChoosablePresence


class Accept(Write):
    type: Literal["accept"]
    request_id: str = Field(min_length=1)


class Decline(Write):
    type: Literal["decline"]
    request_id: str = Field(min_length=1)


class DeskMessage(Write):
    type: Literal["message"]
    request_id: str = Field(min_length=1)
    body: str = Field(min_length=1, description="At most `message_bytes` UTF-8 bytes.")


class Resolve(Write):
    type: Literal["resolve"]
    request_id: str = Field(min_length=1)
    disposition: Disposition
    note: str | None = Field(None, max_length=2000)


class DeskTyping(Closed):
    type: Literal["typing"]
    request_id: str
    active: bool


class CobrowseAsk(Write):
    type: Literal["cobrowse_ask"]
    request_id: str = Field(min_length=1)


class DeskCobrowseStop(Write):
    type: Literal["cobrowse_stop"]
    request_id: str = Field(min_length=1)


class SessionExtend(Write):
    """Ask the customer's app for more time on its session (a chat the specialist holds)."""

    type: Literal["session_extend"]
    request_id: str = Field(min_length=1)


# -- The unions -----------------------------------------------------------------------------

CustomerClientFrame = Annotated[
    CustomerHello
    | Ping
    | CustomerMessage
    | CustomerContext
    | Visibility
    | CustomerTyping
    | Cancel
    | Rate
    | WantCallback
    | Schedule
    | Reschedule
    | CancelCallback
    | Answer
    | CobrowseConsent
    | CustomerCobrowseStop
    | CobrowseEventsFrame,
    Field(discriminator="type"),
]
DeskClientFrame = Annotated[
    DeskHello
    | Ping
    | SetPresence
    | Accept
    | Decline
    | DeskMessage
    | Resolve
    | DeskTyping
    | CobrowseAsk
    | DeskCobrowseStop
    | SessionExtend,
    Field(discriminator="type"),
]
CustomerServerFrame = Annotated[
    CustomerWelcome
    | Pong
    | Ack
    | Error
    | Typing
    | Estimate
    | CustomerRequestState
    | MessageEvent
    | CallbackEvent
    | CallbackRing
    | CallbackRingEnded
    | CobrowseAsked
    | SessionExtendAsked
    | CobrowseEvent,
    Field(discriminator="type"),
]
DeskServerFrame = Annotated[
    DeskWelcome
    | Pong
    | Ack
    | Error
    | Typing
    | Queues
    | Config
    | Wallboard
    | Alert
    | SignedOut
    | DeskRequestState
    | MessageEvent
    | OfferEvent
    | OfferWithdrawn
    | RequestAssigned
    | ContextUpdated
    | CustomerPresenceEvent
    | PresenceEvent
    | RequestRated
    | CallbackEvent
    | CallbackRingEnded
    | CobrowseEvents
    | CobrowseEvent,
    Field(discriminator="type"),
]

_CLIENT: dict[str, TypeAdapter[Any]] = {
    "customer": TypeAdapter(CustomerClientFrame),
    "desk": TypeAdapter(DeskClientFrame),
}
_SERVER: dict[str, TypeAdapter[Any]] = {
    "customer": TypeAdapter(CustomerServerFrame),
    "desk": TypeAdapter(DeskServerFrame),
}
PATHS: dict[Socket, str] = {"customer": "/ws/customer", "desk": "/ws/specialist"}


def client_adapter(socket: Socket) -> TypeAdapter[Any]:
    """Validates one client frame of `socket` (`validate_python` or `validate_json`)."""
    return _CLIENT[socket]


def server_adapter(socket: Socket) -> TypeAdapter[Any]:
    """Validates one frame the server sends on `socket`."""
    return _SERVER[socket]


def frame_types(adapter: TypeAdapter[Any]) -> set[str]:
    """The `type` values a union admits (from its schema's discriminator)."""
    schema = adapter.core_schema
    while schema["type"] != "tagged-union":
        schema = schema["schema"]
    return {str(tag) for tag in schema["choices"]}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of every frame of both sockets, in both directions."""
    keys: list[tuple[str, Literal["validation"], TypeAdapter[Any]]] = [
        (f"{socket}.{way}", "validation", table[socket])
        for socket in ("customer", "desk")
        for way, table in (("client", _CLIENT), ("server", _SERVER))
    ]
    refs, defs = TypeAdapter.json_schemas(keys, ref_template="#/$defs/{model}")
    sockets: dict[str, Any] = {}
    for socket in ("customer", "desk"):
        sockets[socket] = {
            "path": PATHS[socket],
            "client": refs[(f"{socket}.client", "validation")],
            "server": refs[(f"{socket}.server", "validation")],
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tapline WebSocket protocol",
        "description": (
            "Every frame of /ws/customer and /ws/specialist: `client` is what the client "
            "sends, `server` what the server sends, each a union discriminated on `type`. "
            "See docs/protocol.md for what they mean."
        ),
        "sockets": sockets,
        **defs,
    }
