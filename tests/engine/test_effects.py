from __future__ import annotations

import dataclasses
from typing import get_args

import pytest

from tapline.engine import (
    DeadEndCause,
    Effect,
    OfferMade,
    OfferWithdrawn,
    Presence,
    PresenceChanged,
    QueueChanged,
    QueueFallback,
    RequestState,
    Routable,
    StateChanged,
    Unroutable,
    UnroutableReason,
    WithdrawReason,
)


def test_effect_is_the_union_of_the_eight() -> None:
    assert set(get_args(Effect)) == {
        StateChanged,
        OfferMade,
        OfferWithdrawn,
        PresenceChanged,
        QueueChanged,
        Unroutable,
        Routable,
        QueueFallback,
    }


def test_unroutable_reasons() -> None:
    assert set(get_args(UnroutableReason)) == {"unqualified", "declined"}


def test_withdraw_reasons_are_the_protocols() -> None:
    assert set(get_args(WithdrawReason)) == {
        "expired",
        "declined",
        "taken",
        "cancelled",
        "specialist_left",
    }


def test_effects_are_frozen_values() -> None:
    a = StateChanged("r1", RequestState.CONNECTED, RequestState.DEAD_END, DeadEndCause.UNRESOLVED)
    same = StateChanged(
        "r1", RequestState("connected"), RequestState("dead_end"), DeadEndCause("unresolved")
    )
    assert a == same
    assert a.specialist_id is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.request_id = "r2"  # type: ignore[misc]
    assert hash(PresenceChanged("s", Presence.AWAY, 1, 2)) == hash(
        PresenceChanged("s", Presence.AWAY, 1, 2)
    )
