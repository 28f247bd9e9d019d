"""What the callbacks tell their driver to do, or that happened.

See docs/subsystems/callbacks.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tapline.engine.callback_states import CallbackKind, CallbackState, PromiseOutcome
from tapline.engine.states import DeadEndCause

StopReason = Literal["answered", "no_answer", "cancelled", "rescheduled", "specialist_left"]


@dataclass(frozen=True, slots=True)
class Promised:
    """A callback was promised: tell the customer its window."""

    request_id: str
    queue_id: str
    kind: CallbackKind
    window_start: float
    window_end: float


@dataclass(frozen=True, slots=True)
class CallbackChanged:
    """A callback moved from `old` to `new`; `attempt` is the ring attempt (0 before any)."""

    request_id: str
    old: CallbackState
    new: CallbackState
    attempt: int


@dataclass(frozen=True, slots=True)
class CallbackDue:
    """A scheduled callback's slot has started: offer it to the reserved specialist, and
    call `ring` when the specialist is ready."""

    request_id: str
    queue_id: str
    window_end: float


@dataclass(frozen=True, slots=True)
class Ring:
    """Ring the customer (every open tab and device, Web Push, the phone fallback) until
    `until`, with an accept button."""

    request_id: str
    attempt: int
    until: float


@dataclass(frozen=True, slots=True)
class StopRinging:
    """Stop ringing the customer's devices."""

    request_id: str
    reason: StopReason


@dataclass(frozen=True, slots=True)
class PromiseSettled:
    """The promise was kept, broken or made void: record it (the ledger already counts it)."""

    request_id: str
    queue_id: str
    kind: CallbackKind
    outcome: PromiseOutcome


@dataclass(frozen=True, slots=True)
class CallbackMissed:
    """The callback finally failed and the policy says cancel: end the request as a dead end
    with `cause` (missed_callback) and show the customer `message`."""

    request_id: str
    queue_id: str
    cause: DeadEndCause
    message: str


@dataclass(frozen=True, slots=True)
class Requeue:
    """The callback finally failed and the policy says requeue: the request waits in its
    queue again (in-queue: at its place; scheduled: as of its slot); show `message`."""

    request_id: str
    queue_id: str
    kind: CallbackKind
    message: str


CallbackEffect = (
    Promised
    | CallbackChanged
    | CallbackDue
    | Ring
    | StopRinging
    | PromiseSettled
    | CallbackMissed
    | Requeue
)
