"""The engine's deadlines: offer timeouts, customer grace, tick and next_deadline."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tapline.engine import (
    DeadEndCause,
    Effect,
    Engine,
    FakeClock,
    InvalidTransition,
    OfferMade,
    OfferWithdrawn,
    Presence,
    PresenceChanged,
    QueueChanged,
    RequestState,
    StateChanged,
    Unroutable,
)

Staff = Callable[..., list[Effect]]
S = RequestState
WAITING, OFFERED, CONNECTED, DEAD_END = S.WAITING, S.OFFERED, S.CONNECTED, S.DEAD_END
START, TIMEOUT, GRACE = 1_000.0, 30.0, 120.0


# -- offer timeouts ----------------------------------------------------------------------


def test_nothing_happens_before_the_offer_expires(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("ana")
    engine.submit("r1", "pay")
    assert engine.next_deadline() == START + TIMEOUT
    clock.advance(TIMEOUT - 0.001)
    assert engine.tick() == []
    assert engine.request("r1").state is OFFERED


def test_an_expired_offer_goes_to_the_next_specialist(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("ana")
    clock.advance(1)
    staff("bob")
    engine.submit("r1", "pay")
    clock.advance(TIMEOUT)
    now = clock.now()
    assert engine.tick() == [
        OfferWithdrawn("r1", "ana", "expired"),
        StateChanged("r1", OFFERED, WAITING, None, "ana"),
        PresenceChanged("ana", Presence.AWAY, 0, 1),
        StateChanged("r1", WAITING, OFFERED, None, "bob"),
        OfferMade("r1", "bob", now + TIMEOUT),
    ]
    assert engine.specialist("ana").presence is Presence.AWAY
    assert engine.next_deadline() == now + TIMEOUT


def test_a_missed_offer_is_never_offered_to_them_again(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("ana")
    engine.submit("r1", "pay")
    clock.advance(TIMEOUT)
    engine.tick()
    assert engine.request("r1").state is WAITING
    engine.set_presence("ana", Presence.AVAILABLE)  # back, but r1 is not for her
    assert engine.request("r1").state is WAITING
    engine.submit("r2", "pay")
    assert engine.request("r2").specialist_id == "ana"
    assert engine.position("r1") == 1


def test_without_away_on_missed_offer_they_stay_available(clock: FakeClock) -> None:
    engine = Engine(clock, offer_timeout=TIMEOUT, away_on_missed_offer=False)
    engine.add_queue("pay", "payments")
    engine.set_specialist("ana", skills={"payments": 1}, capacity=1)
    engine.set_presence("ana", Presence.AVAILABLE)
    engine.submit("r1", "pay")
    engine.submit("r2", "pay")
    clock.advance(TIMEOUT)
    effects = engine.tick()
    assert not any(isinstance(e, PresenceChanged) for e in effects)
    assert engine.specialist("ana").presence is Presence.AVAILABLE
    assert engine.request("r2").specialist_id == "ana"  # the next one, never r1 again
    assert engine.request("r1").state is WAITING


def test_a_late_tick_handles_deadlines_in_order(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("ana")
    engine.submit("r1", "pay")  # offer expires at START + 30
    engine.customer_left("r1")  # grace ends at START + 120
    clock.advance(GRACE + 5)
    assert engine.tick() == [
        OfferWithdrawn("r1", "ana", "expired"),
        StateChanged("r1", OFFERED, WAITING, None, "ana"),
        Unroutable("r1", "pay", "declined", "payments >= 1 (chat)"),  # ana was the only one
        PresenceChanged("ana", Presence.AWAY, 0, 1),
        StateChanged("r1", WAITING, DEAD_END, DeadEndCause.ABANDONED),
        QueueChanged("pay", 0),
    ]
    assert engine.next_deadline() is None


def test_accepted_and_declined_offers_leave_no_deadline(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    assert engine.next_deadline() is None
    staff("ana")
    staff("bob")
    engine.submit("r1", "pay")
    engine.submit("r2", "pay")
    engine.accept("r1", "ana")
    engine.decline("r2", "bob")
    assert engine.next_deadline() is None
    clock.advance(1_000)
    assert engine.tick() == []


# -- customer grace ----------------------------------------------------------------------


def test_a_customer_gone_while_waiting_is_abandoned(engine: Engine, clock: FakeClock) -> None:
    engine.submit("r1", "pay")
    assert engine.customer_left("r1") == []
    assert engine.next_deadline() == START + GRACE
    clock.advance(GRACE)
    assert engine.tick() == [
        StateChanged("r1", WAITING, DEAD_END, DeadEndCause.ABANDONED),
        QueueChanged("pay", 0),
    ]
    assert engine.request("r1").cause is DeadEndCause.ABANDONED


def test_a_customer_gone_during_an_offer_is_abandoned_and_the_offer_withdrawn(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    engine.submit("r1", "pay")
    engine.customer_left("r1")
    clock.advance(GRACE - 10)
    staff("ana")  # offered at START + 110, expires at START + 140
    clock.advance(10)
    assert engine.tick() == [
        OfferWithdrawn("r1", "ana", "cancelled"),
        StateChanged("r1", OFFERED, DEAD_END, DeadEndCause.ABANDONED, "ana"),
        QueueChanged("pay", 0),
    ]
    assert engine.specialist("ana").offered is None
    assert engine.specialist("ana").presence is Presence.AVAILABLE


def test_a_customer_gone_while_connected_is_lost_on_disconnect(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("ana")
    engine.submit("r1", "pay")
    engine.accept("r1", "ana")
    engine.submit("r2", "pay")
    engine.customer_left("r1")
    clock.advance(GRACE)
    effects = engine.tick()
    assert effects[:2] == [
        StateChanged("r1", CONNECTED, DEAD_END, DeadEndCause.LOST_ON_DISCONNECT, "ana"),
        PresenceChanged("ana", Presence.AVAILABLE, 0, 1),
    ]
    assert engine.request("r2").specialist_id == "ana"


def test_a_customer_back_in_time_loses_nothing(engine: Engine, clock: FakeClock) -> None:
    engine.submit("r1", "pay")
    engine.customer_left("r1")
    clock.advance(GRACE - 1)
    assert engine.customer_returned("r1") == []
    clock.advance(GRACE * 10)
    assert engine.tick() == []
    assert engine.request("r1").state is WAITING
    assert engine.next_deadline() is None


def test_leaving_twice_keeps_the_first_deadline(engine: Engine, clock: FakeClock) -> None:
    engine.submit("r1", "pay")
    engine.customer_left("r1")
    clock.advance(60)
    engine.customer_left("r1")
    assert engine.next_deadline() == START + GRACE


def test_leaving_again_after_returning_starts_a_new_grace(engine: Engine, clock: FakeClock) -> None:
    engine.submit("r1", "pay")
    engine.customer_left("r1")
    clock.advance(60)
    engine.customer_returned("r1")
    engine.customer_returned("r1")  # harmless twice
    engine.customer_left("r1")
    assert engine.next_deadline() == START + 60 + GRACE


def test_grace_on_an_ended_request(engine: Engine) -> None:
    engine.submit("r1", "pay")
    engine.cancel("r1")
    with pytest.raises(InvalidTransition):
        engine.customer_left("r1")
    assert engine.customer_returned("r1") == []
    assert engine.next_deadline() is None


def test_ending_a_request_cancels_its_grace(engine: Engine, clock: FakeClock) -> None:
    engine.submit("r1", "pay")
    engine.customer_left("r1")
    engine.cancel("r1")
    assert engine.next_deadline() is None
    clock.advance(GRACE)
    assert engine.tick() == []
    assert engine.request("r1").state is S.CANCELLED
