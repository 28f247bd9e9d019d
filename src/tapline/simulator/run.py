"""The discrete-event loop: the real engine (`tapline.engine.Engine`) in virtual time.

Arrivals, chat ends, customers giving up and shift changes are events in a heap. Each moves a
`FakeClock` to its time and calls the engine's commands (submit, accept, resolve, end_dead,
set_presence), exactly as the server does; specialists accept offers at once. The loop itself
(its state and a handler per kind of event) is `loop.Loop`.

The offered wait: a customer who gives up stays in the line as a ghost. A ghost takes no
specialist; when the line reaches it (a specialist frees up and every real customer before it
has gone), its offered wait (what it would have waited with infinite patience) is recorded
and the specialist goes on to the next. Estimates are scored against offered waits of the
customers who had to wait (those not offered a specialist at once).

Callbacks go through the engine's callback core (`tapline.engine.callbacks.Callbacks`) as on
the server: a customer who accepts one is marked (`Engine.mark_callback`) and promised a
window (`promise_in_queue`, to the end of their estimate's promise); when the engine offers
the request, the specialist accepts and the app rings (`ring`); the customer answers
(`answered`) or the ring times out at the core's deadlines (`tick`, scheduled in the heap
from `next_deadline`), and the retry policy ends in `Requeue` (back to the front of the
line) or `CallbackMissed` (a dead end). The promises kept are the core's `PromiseLedger`'s.
See docs/subsystems/simulator.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from tapline.engine import Engine, FakeClock
from tapline.engine.callback_states import CallbackPolicy, OnFailure
from tapline.engine.callbacks import Callbacks
from tapline.engine.estimates import QueueModel
from tapline.simulator.loop import QUEUE, SKILL, WARMUP_QUEUE, Loop
from tapline.simulator.metrics import CallbackStats, Results, percentile
from tapline.simulator.scenario import Scenario

__all__ = ["QUEUE", "SKILL", "WARMUP_QUEUE", "Simulation", "simulate"]


class Simulation:
    """One run of a scenario. `model` is the estimator under test (a fresh one by default);
    `arrival_times` replays given arrivals instead of drawing them."""

    def __init__(
        self,
        scenario: Scenario,
        model: QueueModel | None = None,
        *,
        arrival_times: Sequence[float] | None = None,
    ) -> None:
        self.scenario = scenario
        self.model = model if model is not None else QueueModel()
        self.events = 0
        self.callbacks: Callbacks | None = None
        """The callback core of the last run (its `ledger` holds the promises kept)."""
        self._trace = sorted(arrival_times) if arrival_times is not None else None
        """Replay these arrival times (seconds) instead of the scenario's Poisson arrivals."""

    def run(self, progress: Callable[[float], None] | None = None) -> Results:
        sc = self.scenario
        clock = FakeClock(0.0)
        engine = Engine(clock, offer_timeout=60.0, customer_grace=0.0, keep_ended=1000)
        engine.add_queue(QUEUE, SKILL)
        for i in range(sc.max_servers):
            engine.set_specialist(f"s{i}", skills={SKILL: 1}, capacity=1)
        cbs = None
        if sc.callbacks is not None:
            policy = CallbackPolicy(
                ring_timeout=sc.callbacks.ring_timeout,
                attempts=sc.callbacks.attempts,
                spacing=sc.callbacks.spacing,
                on_failure=OnFailure(sc.callbacks.on_failure),
            )
            cbs = Callbacks(policy, keep_ended=1000)
        self.callbacks = cbs
        loop = Loop(sc, self.model, engine, clock, cbs, self._trace, progress)
        wall = time.perf_counter()
        loop.run()
        wall = time.perf_counter() - wall
        if progress is not None:
            progress(1.0)
        self.events = loop.events
        return _results(loop, wall)


def _results(loop: Loop, wall: float) -> Results:
    """The summary of a finished run."""
    sc = loop.scenario
    rec = loop.rec
    tally = loop.tally
    waits = sorted(rec.waits)
    ended = tally.served + tally.abandoned
    unresolved = tally.delayed - tally.no_one - rec.offered_n
    n = rec.offered_n
    return Results(
        scenario=sc.name,
        events=loop.events,
        wall_seconds=wall,
        simulated_seconds=sc.duration,
        arrivals=tally.arrivals,
        served=tally.served,
        abandoned=tally.abandoned,
        immediate=tally.immediate,
        delayed=tally.delayed,
        unresolved=max(0, unresolved),
        service_level=tally.answered_in_time / ended if ended else math.nan,
        service_level_threshold=sc.service_level,
        abandonment=tally.abandoned / ended if ended else math.nan,
        wait_mean=sum(waits) / len(waits) if waits else math.nan,
        wait_percentiles={
            f"p{int(p * 100)}": percentile(waits, p) for p in (0.5, 0.8, 0.9, 0.95, 0.99)
        },
        offered_mean=rec.offered_sum / n if n else math.nan,
        scores=rec.scores(),
        range_hit=1.0 - (rec.below + rec.above) / n if n else math.nan,
        range_below=rec.below / n if n else math.nan,
        range_above=rec.above / n if n else math.nan,
        range_width=rec.width / n if n else math.nan,
        window_hit=rec.window_hit / n if n else math.nan,
        window_early=rec.window_early / n if n else math.nan,
        buckets=rec.buckets(),
        callbacks=_callback_stats(loop),
        waits_sample=rec.waits,
        pairs_sample=rec.pairs,
        queue_series=loop.series,
    )


def _callback_stats(loop: Loop) -> CallbackStats | None:
    """The callbacks' figures; the promises kept and broken are the core's ledger's."""
    if loop.cbs is None:
        return None
    ledger = loop.cbs.ledger.tally(queue_id=QUEUE)  # the scored customers' promises
    tally = loop.tally
    return CallbackStats(
        offered=tally.cb_offered,
        accepted=tally.cb_accepted,
        called=ledger.total,
        kept=ledger.rate if ledger.rate is not None else math.nan,
        early=tally.cb_early / ledger.total if ledger.total else math.nan,
        missed=tally.cb_missed,
        requeued=tally.cb_requeued,
        rings=tally.cb_rings,
    )


def simulate(
    scenario: Scenario,
    model: QueueModel | None = None,
    progress: Callable[[float], None] | None = None,
) -> Results:
    """Run `scenario` once and summarise it."""
    return Simulation(scenario, model).run(progress)
