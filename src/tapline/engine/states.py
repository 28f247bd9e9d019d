"""A request's states, the ways between them, and the causes of a dead end."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from tapline.engine.errors import InvalidTransition


class RequestState(StrEnum):
    NEW = "new"
    WAITING = "waiting"
    OFFERED = "offered"
    CONNECTED = "connected"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"
    DEAD_END = "dead_end"


class DeadEndCause(StrEnum):
    ABANDONED = "abandoned"
    """The customer left while waiting (or while an offer was out) and did not come back."""
    LOST_ON_DISCONNECT = "lost_on_disconnect"
    """The customer's connection was lost while connected and did not come back."""
    MISSED_CALLBACK = "missed_callback"
    UNRESOLVED = "unresolved"
    NO_SPECIALIST = "no_specialist"


_S = RequestState

TRANSITIONS: Final[dict[RequestState, frozenset[RequestState]]] = {
    _S.NEW: frozenset({_S.WAITING, _S.CANCELLED}),
    _S.WAITING: frozenset({_S.OFFERED, _S.CANCELLED, _S.DEAD_END}),
    _S.OFFERED: frozenset({_S.CONNECTED, _S.WAITING, _S.CANCELLED, _S.DEAD_END}),
    # connected -> waiting: the specialist dropped and the request is re-routed.
    _S.CONNECTED: frozenset({_S.RESOLVED, _S.WAITING, _S.CANCELLED, _S.DEAD_END}),
    _S.RESOLVED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.DEAD_END: frozenset(),
}
"""Every allowed move, from each state. Final states have no exits."""

FINAL_STATES: Final = frozenset(state for state, exits in TRANSITIONS.items() if not exits)


def is_final(state: RequestState) -> bool:
    """Whether a request in `state` has reached its outcome."""
    return state in FINAL_STATES


def transition(state: RequestState, to: RequestState) -> RequestState:
    """Return `to` if a request may move there from `state`, else raise InvalidTransition."""
    if to not in TRANSITIONS[state]:
        raise InvalidTransition(f"a request cannot go from {state} to {to}")
    return to
