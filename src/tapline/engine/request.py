"""What the engine keeps of a request, and the frozen view it hands out."""

from __future__ import annotations

from dataclasses import dataclass, field

from tapline.engine.lineup import NORMAL, Place
from tapline.engine.states import DeadEndCause, RequestState


@dataclass(frozen=True, slots=True)
class RequestView:
    """A request as the engine sees it now."""

    request_id: str
    queue_id: str
    state: RequestState
    cause: DeadEndCause | None
    specialist_id: str | None
    """Who holds its offer (offered), who it is with (connected), or who it ended with."""
    enqueued_at: float
    offer_expires_at: float | None


@dataclass(slots=True)
class RequestRecord:
    """The engine's own, mutable record of one request."""

    request_id: str
    queue_id: str
    seq: int
    """Submit order, for ties in enqueued time."""
    enqueued_at: float
    state: RequestState
    rank: int = NORMAL
    cause: DeadEndCause | None = None
    specialist_id: str | None = None
    offer_expires_at: float | None = None
    offer_token: int | None = None
    grace_token: int | None = None
    excluded: set[str] = field(default_factory=set)
    """Specialists who declined or missed this request: never offered it again."""

    @property
    def place(self) -> Place:
        return (self.rank, self.enqueued_at, self.seq, self.request_id)

    def view(self) -> RequestView:
        return RequestView(
            request_id=self.request_id,
            queue_id=self.queue_id,
            state=self.state,
            cause=self.cause,
            specialist_id=self.specialist_id,
            enqueued_at=self.enqueued_at,
            offer_expires_at=self.offer_expires_at,
        )
