"""`Queues`: what both drivers decide about waiting requests: learning, promise windows, and
what a callback's turn, requeue or miss does to its request (commands + time in, effects out)."""

from __future__ import annotations

import math

import pytest

from tapline.engine import DeadEndCause, Engine, FakeClock, OfferMade, Presence, RequestState
from tapline.engine.callback_effects import Ring
from tapline.engine.callback_states import CallbackPolicy
from tapline.engine.callbacks import Callbacks
from tapline.engine.errors import InvalidArgument, UnknownRequest
from tapline.engine.estimates import Estimate, QueueModel
from tapline.engine.queues import LONGEST_WINDOW, Queues, promise_window


def _queues() -> Queues:
    return Queues(Engine(FakeClock(0.0)))


def _estimate(promise: float, high: float = 600.0) -> Estimate:
    return Estimate(120.0, 30.0, high, promise, 3)


@pytest.mark.parametrize(
    ("promise", "window"),
    [
        (600.0, 600.0),
        (1.0, 1.0),
        (LONGEST_WINDOW - 1.0, LONGEST_WINDOW - 1.0),
        (LONGEST_WINDOW, None),  # a day or more: the policy's window
        (math.inf, None),
        (0.0, None),  # no span to keep a promise in
        (-5.0, None),
    ],
)
def test_the_promise_window_is_the_promise_when_it_is_a_span_under_a_day(
    promise: float, window: float | None
) -> None:
    assert promise_window(_estimate(promise)) == window
    assert _queues().promise_window(_estimate(promise)) == window


def test_no_estimate_takes_the_policys_window() -> None:
    assert promise_window(None) is None


def test_a_queues_model_is_made_once_and_may_be_set() -> None:
    queues = _queues()
    made = queues.model("q")
    assert queues.model("q") is made
    tuned = QueueModel(use_elapsed=False)
    queues.set_model("q", tuned)
    assert queues.model("q") is tuned
    assert queues.models == {"q": tuned}


def test_a_served_wait_is_observed_with_its_first_estimate() -> None:
    queues = _queues()
    first, later = _estimate(600.0), _estimate(900.0, high=900.0)
    queues.estimated("r1", first)
    queues.estimated("r1", later)  # only the first is scored
    assert queues.first_estimate("r1") is first
    queues.served("r1", "q", 200.0)
    model = queues.model("q")
    assert model.patience.count == 1
    assert queues.first_estimate("r1") is None  # scored once


def test_the_outcome_is_scored_as_the_model_would_be_fed_directly() -> None:
    # The drivers used to call the model themselves: the same calls, the same model.
    queues, direct = _queues(), QueueModel()
    est = _estimate(600.0)
    for i in range(50):
        rid = f"r{i}"
        queues.estimated(rid, est)
        waited = 10.0 + 7.0 * i
        if i % 3:
            queues.served(rid, "q", waited, patient=i % 5 == 0)
            direct.observe_wait(waited, False)
            direct.observe_outcome(est, waited, served=True, patient=i % 5 == 0)
        else:
            queues.abandoned(rid, "q", waited)
            direct.observe_wait(waited, True)
            direct.observe_outcome(est, waited, served=False)
        queues.handled("q", 100.0 + i)
        direct.observe_service(100.0 + i)
    model = queues.model("q")
    assert (model.mu, model.theta) == (direct.mu, direct.theta)
    assert model.estimate(4, 2.0) == direct.estimate(4, 2.0)


def test_a_request_never_estimated_is_still_observed() -> None:
    queues = _queues()
    queues.served("r1", "q", 0.0)  # taken at once: a wait of 0, no outcome to score
    queues.abandoned("r2", "q", 30.0)
    assert queues.model("q").patience.count == 2


def test_forget_drops_the_first_estimate() -> None:
    queues = _queues()
    queues.estimated("r1", _estimate(600.0))
    queues.forget("r1")
    queues.forget("r1")  # idempotent
    assert queues.first_estimate("r1") is None


# -- A callback's request --------------------------------------------------------------------


def _with_callbacks() -> tuple[Queues, Engine, Callbacks, FakeClock]:
    clock = FakeClock(1000.0)
    engine = Engine(clock, offer_timeout=30.0)
    engine.add_queue("q", "pay")
    engine.set_specialist("ana", skills={"pay": 1}, capacity=1)
    callbacks = Callbacks(CallbackPolicy(ring_timeout=30.0, attempts=1))
    return Queues(engine, callbacks), engine, callbacks, clock


def test_a_promise_marks_the_request_and_takes_the_promise_window() -> None:
    queues, engine, callbacks, clock = _with_callbacks()
    engine.submit("r1", "q")  # no one on duty: it waits
    effects = queues.promise_in_queue("r1", "q", clock.now(), _estimate(600.0))
    assert effects
    assert engine.request("r1").callback
    promised = callbacks.get("r1")
    assert promised.window_end - promised.window_start == 600.0
    engine.submit("r2", "q")
    queues.promise_in_queue("r2", "q", clock.now(), _estimate(math.inf))
    promised = callbacks.get("r2")
    assert promised.window_end - promised.window_start == callbacks.policy.in_queue_window


def test_queues_without_callbacks_promise_nothing() -> None:
    queues = _queues()
    queues.engine.add_queue("q", "pay")
    queues.engine.submit("r1", "q")
    with pytest.raises(InvalidArgument):
        queues.promise_in_queue("r1", "q", 0.0, None)
    assert queues.callback_turn("r1", 0.0) == []


def test_the_turn_of_a_promised_request_rings_once() -> None:
    queues, engine, _, clock = _with_callbacks()
    engine.submit("r1", "q")
    queues.promise_in_queue("r1", "q", clock.now(), _estimate(600.0))
    [offer] = [e for e in engine.set_presence("ana", Presence.AVAILABLE) if type(e) is OfferMade]
    engine.accept("r1", offer.specialist_id)
    rings = [e for e in queues.callback_turn("r1", clock.now()) if type(e) is Ring]
    assert [ring.attempt for ring in rings] == [1]
    assert queues.callback_turn("r1", clock.now()) == []  # ringing already
    assert queues.callback_turn("r0", clock.now()) == []  # no callback at all


def test_a_requeued_callback_goes_back_to_the_front_as_a_plain_wait() -> None:
    queues, engine, _, clock = _with_callbacks()
    engine.submit("r1", "q")
    queues.promise_in_queue("r1", "q", clock.now(), _estimate(600.0))
    engine.set_presence("ana", Presence.AVAILABLE)
    engine.accept("r1", "ana")
    engine.submit("r2", "q")
    effects = queues.callback_requeued("r1")
    # Ana is free again and r1 is at the front, ahead of r2: offered to her first.
    offers = [e for e in effects if type(e) is OfferMade]
    assert [(e.request_id, e.specialist_id) for e in offers] == [("r1", "ana")]
    view = engine.request("r1")
    assert (view.state, view.callback) == (RequestState.OFFERED, False)


def test_a_requeued_callback_never_rung_waits_on_at_its_place() -> None:
    queues, engine, _, clock = _with_callbacks()
    for rid in ("r1", "r2"):
        engine.submit(rid, "q")
    queues.promise_in_queue("r2", "q", clock.now(), _estimate(600.0))
    assert queues.callback_requeued("r2") == []
    assert not engine.request("r2").callback
    assert [request_id for request_id, _ in engine.line("q")] == ["r1", "r2"]
    with pytest.raises(UnknownRequest):  # set aside for a slot: the driver puts it back
        queues.callback_requeued("gone")


def test_a_missed_callback_is_a_dead_end_once() -> None:
    queues, engine, _, clock = _with_callbacks()
    engine.submit("r1", "q")
    queues.promise_in_queue("r1", "q", clock.now(), _estimate(600.0))
    assert queues.callback_missed("r1")
    view = engine.request("r1")
    assert (view.state, view.cause) == (RequestState.DEAD_END, DeadEndCause.MISSED_CALLBACK)
    assert queues.callback_missed("r1") == []  # ended already: nothing more
