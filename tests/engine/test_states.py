from __future__ import annotations

import pytest

from tapline.engine import (
    FINAL_STATES,
    TRANSITIONS,
    DeadEndCause,
    EngineError,
    InvalidTransition,
    RequestState,
    is_final,
    transition,
)

S = RequestState

ALLOWED = {
    (S.NEW, S.WAITING),
    (S.NEW, S.CANCELLED),
    (S.WAITING, S.OFFERED),
    (S.WAITING, S.CANCELLED),
    (S.WAITING, S.DEAD_END),
    (S.OFFERED, S.CONNECTED),
    (S.OFFERED, S.WAITING),
    (S.OFFERED, S.CANCELLED),
    (S.OFFERED, S.DEAD_END),
    (S.CONNECTED, S.RESOLVED),
    (S.CONNECTED, S.WAITING),
    (S.CONNECTED, S.CANCELLED),
    (S.CONNECTED, S.DEAD_END),
}


def test_values_are_the_protocols_words() -> None:
    assert [s.value for s in S] == [
        "new",
        "waiting",
        "offered",
        "connected",
        "resolved",
        "cancelled",
        "dead_end",
    ]
    assert [c.value for c in DeadEndCause] == [
        "abandoned",
        "lost_on_disconnect",
        "missed_callback",
        "unresolved",
        "no_specialist",
    ]


@pytest.mark.parametrize("old", list(S))
@pytest.mark.parametrize("new", list(S))
def test_transition_allows_exactly_the_table(old: RequestState, new: RequestState) -> None:
    if (old, new) in ALLOWED:
        assert transition(old, new) is new
    else:
        with pytest.raises(InvalidTransition):
            transition(old, new)


def test_table_matches_the_allowed_moves() -> None:
    assert {(a, b) for a, exits in TRANSITIONS.items() for b in exits} == ALLOWED


def test_final_states_have_no_exits() -> None:
    assert {S.RESOLVED, S.CANCELLED, S.DEAD_END} == FINAL_STATES
    for state in S:
        assert is_final(state) == (state in FINAL_STATES)
        assert is_final(state) == (not TRANSITIONS[state])


def test_invalid_transition_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="resolved to waiting"):
        transition(S.RESOLVED, S.WAITING)
