"""`Queues`: what both drivers decide about waiting requests (learning, promise windows)."""

from __future__ import annotations

import math

import pytest

from tapline.engine.estimates import Estimate, QueueModel
from tapline.engine.queues import LONGEST_WINDOW, Queues, promise_window


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
    assert Queues().promise_window(_estimate(promise)) == window


def test_no_estimate_takes_the_policys_window() -> None:
    assert promise_window(None) is None


def test_a_queues_model_is_made_once_and_may_be_set() -> None:
    queues = Queues()
    made = queues.model("q")
    assert queues.model("q") is made
    tuned = QueueModel(use_elapsed=False)
    queues.set_model("q", tuned)
    assert queues.model("q") is tuned
    assert queues.models == {"q": tuned}


def test_a_served_wait_is_observed_with_its_first_estimate() -> None:
    queues = Queues()
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
    queues, direct = Queues(), QueueModel()
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
    queues = Queues()
    queues.served("r1", "q", 0.0)  # taken at once: a wait of 0, no outcome to score
    queues.abandoned("r2", "q", 30.0)
    assert queues.model("q").patience.count == 2


def test_forget_drops_the_first_estimate() -> None:
    queues = Queues()
    queues.estimated("r1", _estimate(600.0))
    queues.forget("r1")
    queues.forget("r1")  # idempotent
    assert queues.first_estimate("r1") is None
