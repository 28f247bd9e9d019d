"""Setting a request aside for a booked slot, callback marks, and the load estimates read."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tapline.engine import (
    Effect,
    Engine,
    FakeClock,
    InvalidTransition,
    OfferWithdrawn,
    QueueChanged,
    RequestState,
    UnknownRequest,
)

Staff = Callable[..., list[Effect]]
GRACE = 120.0  # the engine fixture's customer grace


def test_a_waiting_request_set_aside_leaves_its_line_and_can_come_back(engine: Engine) -> None:
    engine.submit("r1", "pay")
    engine.submit("r2", "pay")
    effects = engine.set_aside("r1")
    assert QueueChanged("pay", 1) in effects
    assert engine.in_line() == ["r2"]
    with pytest.raises(UnknownRequest):
        engine.request("r1")
    engine.submit("r1", "pay", priority=1000, callback=True)
    assert engine.position("r1") == 1


def test_an_offered_request_set_aside_withdraws_the_offer(engine: Engine, staff: Staff) -> None:
    staff("ana")
    engine.submit("r1", "pay")
    assert engine.request("r1").state is RequestState.OFFERED
    effects = engine.set_aside("r1")
    assert OfferWithdrawn("r1", "ana", "cancelled") in effects
    assert engine.specialist("ana").offered is None


def test_only_a_waiting_request_is_set_aside(engine: Engine, staff: Staff) -> None:
    staff("ana")
    engine.submit("r1", "pay")
    engine.accept("r1", "ana")
    with pytest.raises(InvalidTransition):
        engine.set_aside("r1")
    assert engine.request("r1").state is RequestState.CONNECTED


def test_a_callback_mark_stops_the_grace_period(engine: Engine, clock: FakeClock) -> None:
    engine.submit("r1", "pay")
    engine.submit("r2", "pay")
    engine.customer_left("r1")
    engine.customer_left("r2")
    engine.mark_callback("r1", True)
    clock.advance(GRACE + 1)
    engine.tick()
    assert engine.request("r1").state is RequestState.WAITING
    assert engine.request("r2").state is RequestState.DEAD_END


def test_eligible_load_counts_chat_slots(engine: Engine, staff: Staff) -> None:
    staff("ana", capacity=3)
    staff("bo", capacity=2)
    for index in range(6):
        engine.submit(f"r{index}", "pay")
        view = engine.request(f"r{index}")
        if view.state is RequestState.OFFERED and view.specialist_id:
            engine.accept(f"r{index}", view.specialist_id)
    load = engine.eligible_load("r5")
    assert (load.servers, load.slots, len(load.busy_elapsed)) == (2, 5, 5)
