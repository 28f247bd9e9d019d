"""The server and the simulator take the same decisions from the same inputs: both ask the
engine's `Queues` (engine/queues.py) rather than keeping their own copy of the policy."""

from __future__ import annotations

import math

import pytest

from support import World
from tapline.actions import callbacks as callback_actions
from tapline.actions import customer
from tapline.engine import Engine, FakeClock
from tapline.engine.callback_states import CallbackPolicy
from tapline.engine.callbacks import Callbacks
from tapline.engine.estimates import Estimate, QueueModel
from tapline.engine.queues import promise_window
from tapline.lib import waits
from tapline.simulator.customers import Customer
from tapline.simulator.loop import QUEUE, SKILL, Loop
from tapline.simulator.scenario import parse_scenario

PROMISES = [600.0, 1.0, 86_399.0, 86_400.0, math.inf, 0.0]


def _estimate(promise: float) -> Estimate:
    return Estimate(120.0, 30.0, min(promise, 900.0), promise, 1)


def _server_window(world: World, monkeypatch: pytest.MonkeyPatch, est: Estimate) -> float:
    """The promise window the server gives a waiting request shown `est`."""
    with world.desk("ana") as desk:
        for i in range(2):  # Ana is full: the next request waits
            busy = world.connect(desk, f"busy{i}")[0]["request_id"]
            world.call(customer.customer_presence, world.rt, busy, True)
        request_id = world.ask("c1")["request_id"]
        monkeypatch.setattr(waits, "estimate", lambda rt, rid: (est, waits.wire(est, 1)))
        world.call(callback_actions.want_callback, world.rt, request_id)
        promised = world.rt.callbacks.get(request_id)
        return promised.window_end - promised.window_start


def _simulator_window(est: Estimate) -> tuple[float, CallbackPolicy]:
    """The promise window the simulator gives a delayed customer estimated `est`."""
    sc = parse_scenario(
        'duration = "1h"\n[arrivals]\nper_hour = 1\n[handle]\nmean = 100\n'
        "[staffing]\nservers = 1\n[callbacks]\noffer_above = 0\naccept = 1\n"
    )
    clock = FakeClock(0.0)
    engine = Engine(clock, offer_timeout=60.0, customer_grace=0.0)
    engine.add_queue(QUEUE, SKILL)
    policy = CallbackPolicy()
    cbs = Callbacks(policy)
    loop = Loop(sc, QueueModel(), engine, clock, cbs)
    engine.submit("r1", QUEUE)  # no one on duty: it waits
    c = Customer("r1", 0.0, True)
    loop.customers["r1"] = c
    loop._offer_callback(0.0, c, est)
    promised = cbs.get("r1")
    return promised.window_end - promised.window_start, policy


@pytest.mark.parametrize("promise", PROMISES)
def test_the_same_estimate_gets_the_same_promise_window(
    world: World, monkeypatch: pytest.MonkeyPatch, promise: float
) -> None:
    est = _estimate(promise)
    decided = promise_window(est)
    server = _server_window(world, monkeypatch, est)
    simulated, sim_policy = _simulator_window(est)
    if decided is None:  # each driver's callback policy supplies its default window
        assert server == world.rt.callbacks_policy.in_queue_window
        assert simulated == sim_policy.in_queue_window
    else:
        assert server == simulated == decided
