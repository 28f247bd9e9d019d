"""What callbacks and estimates use: in-queue callbacks, requeue, position and eligible_load."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tapline.engine import (
    Channel,
    Effect,
    EligibleLoad,
    Engine,
    FakeClock,
    InvalidTransition,
    OfferMade,
    Presence,
    PresenceChanged,
    QueueChanged,
    RequestState,
    Requirements,
    StateChanged,
)

Staff = Callable[..., list[Effect]]
S = RequestState
START, GRACE = 1_000.0, 120.0


def offers(effects: list[Effect]) -> list[tuple[str, str]]:
    return [(e.request_id, e.specialist_id) for e in effects if isinstance(e, OfferMade)]


# -- in-queue callbacks ------------------------------------------------------------------


def test_a_callback_waits_with_no_grace_period(engine: Engine, clock: FakeClock) -> None:
    engine.submit("cb", "pay", callback=True)
    assert engine.customer_left("cb") == []
    assert engine.next_deadline() is None
    clock.advance(GRACE * 10)
    engine.tick()
    assert engine.request("cb").state is S.WAITING
    assert engine.request("cb").callback


def test_a_connected_callback_has_the_usual_grace(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("ana")
    engine.submit("cb", "pay", callback=True)
    engine.accept("cb", "ana")
    engine.customer_left("cb")
    assert engine.next_deadline() == START + GRACE


def test_requeue_at_the_front(engine: Engine, clock: FakeClock, staff: Staff) -> None:
    staff("ana", capacity=1)
    engine.submit("cb", "pay", callback=True)
    engine.accept("cb", "ana")
    clock.advance(10)
    engine.submit("r2", "pay")
    engine.set_presence("ana", Presence.AWAY)  # so nothing is offered straight away
    assert engine.requeue("cb") == [
        StateChanged("cb", S.CONNECTED, S.WAITING, None, "ana"),
        QueueChanged("pay", 2),
        PresenceChanged("ana", Presence.AWAY, 0, 1),
    ]
    view = engine.request("cb")
    assert (view.state, view.specialist_id, view.enqueued_at) == (S.WAITING, None, START)
    assert engine.position("cb") == 1
    assert offers(engine.set_presence("ana", Presence.AVAILABLE)) == [("cb", "ana")]


def test_requeue_not_at_the_front_takes_its_place(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    engine.submit("r0", "pay", priority=5)  # priority places it ahead
    engine.submit("cb", "pay")
    staff("ana", capacity=2, available=False)
    engine.restore_request("x", "pay", S.CONNECTED, enqueued_at=0.0, specialist_id="ana")
    engine.requeue("x", front=False)
    assert [engine.position(r) for r in ("r0", "x", "cb")] == [1, 2, 3]


def test_requeue_frees_the_capacity_and_routes(engine: Engine, staff: Staff) -> None:
    staff("ana")
    staff("bob", available=False)
    engine.submit("cb", "pay")
    engine.accept("cb", "ana")
    engine.submit("r2", "pay")
    effects = engine.requeue("cb")
    assert offers(effects) == [("cb", "ana")]  # first in line, to whoever is free
    assert engine.request("r2").state is S.WAITING


def test_requeue_cancels_a_callbacks_grace(engine: Engine, clock: FakeClock, staff: Staff) -> None:
    staff("ana")
    engine.submit("cb", "pay", callback=True)
    engine.accept("cb", "ana")
    engine.customer_left("cb")
    engine.set_presence("ana", Presence.AWAY)
    engine.requeue("cb")
    clock.advance(GRACE * 2)
    engine.tick()
    assert engine.request("cb").state is S.WAITING


@pytest.mark.parametrize("state", ["waiting", "offered"])
def test_only_a_connected_request_is_requeued(engine: Engine, staff: Staff, state: str) -> None:
    if state == "offered":
        staff("ana")
    engine.submit("r1", "pay")
    before = engine.request("r1")
    with pytest.raises(InvalidTransition):
        engine.requeue("r1")
    assert engine.request("r1") == before


# -- queries for estimates ---------------------------------------------------------------


def test_eligible_load(engine: Engine, clock: FakeClock, staff: Staff) -> None:
    staff("ana", skills={"payments": 4}, capacity=1)
    staff("bob", skills={"payments": 4}, capacity=2)
    staff("low", skills={"payments": 1}, capacity=5)  # below the level
    staff("away", skills={"payments": 5}, available=False)
    engine.submit("a1", "pay")
    engine.accept("a1", engine.request("a1").specialist_id or "")
    clock.advance(30)
    engine.submit("a2", "pay")
    engine.accept("a2", engine.request("a2").specialist_id or "")
    clock.advance(30)
    needs = Requirements.of({"payments": 3})
    engine.submit("w0", "pay", requirements=needs)  # offered to whoever is free
    engine.submit("w1", "pay", requirements=needs)
    assert engine.request("w0").specialist_id == "bob"  # ana is full
    # ana (full, a1 for 60 s) and bob (a2 for 30 s, room for one more); w0 is ahead of w1.
    assert engine.eligible_load("w1") == EligibleLoad(2, (30.0, 60.0), 1, 1, slots=3)


def test_eligible_load_counts_busy_and_elapsed_by_capacity_kind(
    engine: Engine, clock: FakeClock
) -> None:
    engine.set_specialist("ana", skills={"payments": 3}, capacity={"chat": 1, "voice": 1})
    engine.set_presence("ana", Presence.AVAILABLE)
    engine.submit("c1", "pay")
    engine.accept("c1", "ana")
    clock.advance(40)
    engine.submit("v1", "pay", channel=Channel.VOICE)
    engine.accept("v1", "ana")
    clock.advance(20)
    engine.submit("c2", "pay")
    engine.submit("v2", "pay", channel="voice")
    assert engine.eligible_load("c2") == EligibleLoad(1, (60.0,), 0, 1, slots=1)
    assert engine.eligible_load("v2") == EligibleLoad(1, (20.0,), 1, 1, slots=1)


def test_eligible_load_leaves_out_who_declined(engine: Engine, staff: Staff) -> None:
    staff("ana")
    staff("bob")
    engine.submit("r1", "pay")
    first = engine.request("r1").specialist_id or ""
    engine.decline("r1", first)
    assert engine.eligible_load("r1").servers == 1


def test_position_counts_the_offered_too(engine: Engine, staff: Staff) -> None:
    engine.submit("r1", "pay")
    engine.submit("r2", "pay")
    staff("ana")
    assert engine.request("r1").state is S.OFFERED
    assert (engine.position("r1"), engine.position("r2")) == (1, 2)
    assert engine.eligible_load("r2").ahead == 1
