"""A callback's kinds, states and record, its retry policy, and the errors about callbacks.

See docs/subsystems/callbacks.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tapline.engine.errors import EngineError, InvalidArgument


class CallbackKind(StrEnum):
    IN_QUEUE = "in_queue"
    """"Call me back when it's my turn": the request keeps its place in the queue."""
    SCHEDULED = "scheduled"
    """"Schedule a callback": a booked slot."""


class CallbackState(StrEnum):
    PROMISED = "promised"
    """Waiting for the turn (in-queue) or the slot (scheduled); not rung yet."""
    RINGING = "ringing"
    """The customer's devices ring (attempt `attempt`) until they answer or it times out."""
    RETRYING = "retrying"
    """An attempt went unanswered; the next one rings after the policy's spacing."""
    ANSWERED = "answered"
    MISSED = "missed"
    """Never answered, or never rung; the request ends as a dead end (missed_callback)."""
    REQUEUED = "requeued"
    """Never answered, or never rung; the request waits in the queue again."""
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    """Replaced by a new scheduled callback for the same request."""


class PromiseOutcome(StrEnum):
    KEPT = "kept"
    """The first ring came within the promise window."""
    BROKEN = "broken"
    """The window ended before the first ring (or the first ring came before the window)."""
    VOID = "void"
    """Cancelled or rescheduled before the promise was kept or broken: not counted."""


class OnFailure(StrEnum):
    REQUEUE = "requeue"
    CANCEL = "cancel"


_C = CallbackState

TRANSITIONS: dict[CallbackState, frozenset[CallbackState]] = {
    _C.PROMISED: frozenset({_C.RINGING, _C.MISSED, _C.REQUEUED, _C.CANCELLED, _C.RESCHEDULED}),
    _C.RINGING: frozenset(
        {
            _C.ANSWERED,
            _C.RETRYING,
            _C.MISSED,
            _C.REQUEUED,
            _C.CANCELLED,
            _C.RESCHEDULED,
            _C.PROMISED,  # the specialist left: held for the next one
        }
    ),
    _C.RETRYING: frozenset({_C.RINGING, _C.CANCELLED, _C.RESCHEDULED, _C.PROMISED}),
    _C.ANSWERED: frozenset(),
    _C.MISSED: frozenset(),
    _C.REQUEUED: frozenset(),
    _C.CANCELLED: frozenset(),
    _C.RESCHEDULED: frozenset(),
}
"""Every allowed move of a callback. Final states have no exits."""

FINAL_CALLBACK_STATES = frozenset(s for s, exits in TRANSITIONS.items() if not exits)


class CallbackError(EngineError):
    """Base of the errors about callbacks. A command that raises has changed nothing."""


class UnknownCallback(CallbackError, KeyError):
    """No callback for this request (never promised, or forgotten after it ended)."""


class DuplicateCallback(CallbackError):
    """The request already has a live callback (reschedule or cancel it first)."""


class InvalidCallbackTransition(CallbackError):
    """The callback cannot do this from its state (say, answer when it is not ringing)."""


def callback_transition(state: CallbackState, to: CallbackState) -> CallbackState:
    """Return `to` if a callback may move there from `state`, else raise."""
    if to not in TRANSITIONS[state]:
        raise InvalidCallbackTransition(f"a callback cannot go from {state} to {to}")
    return to


@dataclass(frozen=True, slots=True)
class CallbackPolicy:
    """How a callback rings, retries and gives up."""

    ring_timeout: float = 30.0
    """Seconds an attempt rings before it counts as unanswered."""
    attempts: int = 3
    """Attempts in all, the first included."""
    spacing: float = 60.0
    """Seconds from an unanswered attempt to the next."""
    on_failure: OnFailure = OnFailure.REQUEUE
    """After the last unanswered attempt: back into the queue, or a dead end."""
    in_queue_window: float = 15 * 60.0
    """An in-queue promise's window when no wait estimate was shown."""
    give_up_after: float = 60 * 60.0
    """A callback never rung this long after its window ended fails (as `on_failure`)."""
    failure_message: str = "We tried to call you back but could not reach you."
    requeue_message: str = "We could not reach you, so you are back in the queue."

    def __post_init__(self) -> None:
        if self.ring_timeout <= 0 or self.attempts < 1 or self.spacing < 0:
            raise InvalidArgument("ring_timeout > 0, attempts >= 1 and spacing >= 0")
        if self.in_queue_window <= 0 or self.give_up_after < 0:
            raise InvalidArgument("in_queue_window > 0 and give_up_after >= 0")
        try:
            object.__setattr__(self, "on_failure", OnFailure(self.on_failure))
        except ValueError:
            raise InvalidArgument(
                f"on_failure is requeue or cancel, not {self.on_failure!r}"
            ) from None


@dataclass(frozen=True, slots=True)
class Callback:
    """One callback, as it is now. The driver persists it; `Callbacks.restore` takes it back."""

    request_id: str
    queue_id: str
    kind: CallbackKind
    state: CallbackState
    window_start: float
    window_end: float
    """The promise window `[window_start, window_end)`: the first ring is due within it."""
    promised_at: float
    policy: CallbackPolicy
    attempt: int = 0
    """The attempt ringing now, or the last one (0 before the first ring)."""
    first_rung_at: float | None = None
    promise: PromiseOutcome | None = None
    """None while the promise is open (not rung, window not over)."""
    due_sent: bool = False
    """A scheduled callback's slot has started (CallbackDue was emitted)."""
    deadline: float | None = None
    """When `tick` next has something to do for it; None once it has ended."""
    ended_at: float | None = None

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_CALLBACK_STATES

    @property
    def kept(self) -> bool:
        return self.promise is PromiseOutcome.KEPT


@dataclass(slots=True)
class CallbackRecord:
    """What `Callbacks` keeps of a live callback: mutable; `view()` is the frozen `Callback`."""

    request_id: str
    queue_id: str
    kind: CallbackKind
    state: CallbackState
    window_start: float
    window_end: float
    promised_at: float
    policy: CallbackPolicy
    attempt: int = 0
    first_rung_at: float | None = None
    promise: PromiseOutcome | None = None
    due_sent: bool = False
    deadline: float | None = None
    ended_at: float | None = None

    @classmethod
    def of(cls, cb: Callback) -> CallbackRecord:
        return cls(
            cb.request_id,
            cb.queue_id,
            cb.kind,
            cb.state,
            cb.window_start,
            cb.window_end,
            cb.promised_at,
            cb.policy,
            cb.attempt,
            cb.first_rung_at,
            cb.promise,
            cb.due_sent,
            cb.deadline,
            cb.ended_at,
        )

    def view(self) -> Callback:
        return Callback(
            self.request_id,
            self.queue_id,
            self.kind,
            self.state,
            self.window_start,
            self.window_end,
            self.promised_at,
            self.policy,
            self.attempt,
            self.first_rung_at,
            self.promise,
            self.due_sent,
            self.deadline,
            self.ended_at,
        )
