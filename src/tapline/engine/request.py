"""What the engine keeps of a request, and the frozen view it hands out."""

from __future__ import annotations

from tapline.engine.channels import Channel
from tapline.engine.lineup import NORMAL, Place
from tapline.engine.needs import Need
from tapline.engine.requirements import NONE, Requirements
from tapline.engine.states import DeadEndCause, RequestState
from tapline.engine.values import Value


class RequestView(Value):
    """A request as the engine sees it now: a frozen value (see values.Value).

    - `specialist_id`: who holds its offer (offered), who it is with (connected), or who it
      ended with;
    - `priority`: its own priority (the tier boost); the queue's is added for ordering;
    - `sticky_until`: until when only the preferred specialist is offered it (None: not sticky);
    - `stage`: widening stage: 0 as given, 1 after T1 (levels one lower), 2 after T2 (anyone);
    - `unroutable`: why no registered specialist can ever take it here (see Unroutable).
    """

    __match_args__ = (
        "request_id",
        "queue_id",
        "state",
        "cause",
        "specialist_id",
        "enqueued_at",
        "offer_expires_at",
        "requirements",
        "channel",
        "priority",
        "preferred_specialist",
        "sticky_until",
        "callback",
        "stage",
        "unroutable",
        "connected_at",
    )
    __slots__ = __match_args__
    request_id: str
    queue_id: str
    state: RequestState
    cause: DeadEndCause | None
    specialist_id: str | None
    enqueued_at: float
    offer_expires_at: float | None
    requirements: Requirements
    channel: Channel
    priority: int
    preferred_specialist: str | None
    sticky_until: float | None
    callback: bool
    stage: int
    unroutable: str | None
    connected_at: float | None

    def __init__(
        self,
        request_id: str,
        queue_id: str,
        state: RequestState,
        cause: DeadEndCause | None,
        specialist_id: str | None,
        enqueued_at: float,
        offer_expires_at: float | None,
        requirements: Requirements = NONE,
        channel: Channel = Channel.CHAT,
        priority: int = 0,
        preferred_specialist: str | None = None,
        sticky_until: float | None = None,
        callback: bool = False,
        stage: int = 0,
        unroutable: str | None = None,
        connected_at: float | None = None,
    ) -> None:
        object.__setattr__(self, "request_id", request_id)
        object.__setattr__(self, "queue_id", queue_id)
        object.__setattr__(self, "state", state)
        object.__setattr__(self, "cause", cause)
        object.__setattr__(self, "specialist_id", specialist_id)
        object.__setattr__(self, "enqueued_at", enqueued_at)
        object.__setattr__(self, "offer_expires_at", offer_expires_at)
        object.__setattr__(self, "requirements", requirements)
        object.__setattr__(self, "channel", channel)
        object.__setattr__(self, "priority", priority)
        object.__setattr__(self, "preferred_specialist", preferred_specialist)
        object.__setattr__(self, "sticky_until", sticky_until)
        object.__setattr__(self, "callback", callback)
        object.__setattr__(self, "stage", stage)
        object.__setattr__(self, "unroutable", unroutable)
        object.__setattr__(self, "connected_at", connected_at)


class RequestRecord:
    """The engine's own, mutable record of one request (compared by identity).

    A plain class rather than a dataclass so that mypyc compiles its `__init__`.
    """

    __slots__ = (
        "boost",
        "callback",
        "cause",
        "channel",
        "connected_at",
        "enqueued_at",
        "excluded",
        "final_stage",
        "grace_token",
        "needs",
        "offer_expires_at",
        "offer_token",
        "preferred",
        "priority",
        "queue_id",
        "rank",
        "request_id",
        "requirements",
        "seq",
        "specialist_id",
        "stage",
        "state",
        "sticky_token",
        "sticky_until",
        "unroutable",
        "widen_token",
    )

    def __init__(
        self,
        request_id: str,
        queue_id: str,
        seq: int,
        enqueued_at: float,
        state: RequestState,
        needs: tuple[Need, Need, Need],
        requirements: Requirements = NONE,
        channel: Channel = Channel.CHAT,
        boost: int = 0,
        priority: int = 0,
        *,
        final_stage: int = 0,
    ) -> None:
        self.request_id = request_id
        self.queue_id = queue_id
        self.seq = seq
        """Submit order, for ties in enqueued time."""
        self.enqueued_at = enqueued_at
        self.state = state
        self.needs = needs
        """The need at each widening stage (see needs.py)."""
        self.requirements = requirements
        self.channel = channel
        self.boost = boost
        """The request's own priority; `priority` adds the queue's."""
        self.priority = priority
        self.rank = NORMAL
        self.cause: DeadEndCause | None = None
        self.specialist_id: str | None = None
        self.offer_expires_at: float | None = None
        self.offer_token: int | None = None
        self.grace_token: int | None = None
        self.excluded: set[str] = set()
        """Specialists who declined or missed this request: never offered it again."""
        self.preferred: str | None = None
        self.sticky_until: float | None = None
        self.sticky_token: int | None = None
        self.stage = 0
        self.final_stage = final_stage
        self.widen_token: int | None = None
        self.callback = False
        self.unroutable: str | None = None
        self.connected_at: float | None = None

    @property
    def place(self) -> Place:
        return (self.rank, -self.priority, self.enqueued_at, self.seq, self.request_id)

    @property
    def need(self) -> Need:
        """What it needs now, at its widening stage."""
        return self.needs[self.stage]

    @property
    def final_need(self) -> Need:
        """What it needs at the widest stage its queue allows."""
        return self.needs[self.final_stage]

    def view(self) -> RequestView:
        return RequestView(
            request_id=self.request_id,
            queue_id=self.queue_id,
            state=self.state,
            cause=self.cause,
            specialist_id=self.specialist_id,
            enqueued_at=self.enqueued_at,
            offer_expires_at=self.offer_expires_at,
            requirements=self.requirements,
            channel=self.channel,
            priority=self.boost,
            preferred_specialist=self.preferred,
            sticky_until=self.sticky_until,
            callback=self.callback,
            stage=self.stage,
            unroutable=self.unroutable,
            connected_at=self.connected_at,
        )
