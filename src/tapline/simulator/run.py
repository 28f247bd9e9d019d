"""The discrete-event loop: the real engine (`tapline.engine.Engine`) in virtual time.

Arrivals, chat ends, customers giving up and shift changes are events in a heap. Each moves a
`FakeClock` to its time and calls the engine's commands (submit, accept, resolve, end_dead,
set_presence), exactly as the server does; specialists accept offers at once.

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

import heapq
import math
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from itertools import islice
from typing import overload

from tapline.engine import DeadEndCause, Engine, FakeClock, OfferMade, Presence
from tapline.engine.callback_effects import CallbackEffect, CallbackMissed, Requeue, Ring
from tapline.engine.callback_states import CallbackPolicy, OnFailure
from tapline.engine.callbacks import Callbacks
from tapline.engine.estimate_law import WaitLaw
from tapline.engine.estimates import BUSY_SAMPLE, Estimate, QueueModel
from tapline.simulator.metrics import (
    CallbackStats,
    Recorder,
    Results,
    percentile,
)
from tapline.simulator.scenario import Distribution, Scenario

QUEUE = "q"
WARMUP_QUEUE = "q (warm-up)"
"""The callbacks' ledger label for promises made to customers arriving in the warm-up (not
scored); they are the same engine queue, `QUEUE`."""
SKILL = "support"
_ARRIVE, _DONE, _GIVE_UP, _SHIFT, _ANSWER, _TICK = 0, 1, 2, 3, 4, 5
_WAITING, _SERVED, _GHOST, _RINGING = 0, 1, 2, 3
_LONGEST_WINDOW = 86_400.0  # as the server: a longer promise takes the policy's window
_PROGRESS_STEPS = 200
_STAFFING_AHEAD = 4


def sampler(dist: Distribution, rng: random.Random) -> Callable[[], float]:
    """A function drawing durations from `dist` (math.inf for 'none')."""
    if dist.law == "none":
        return lambda: math.inf
    if dist.law == "deterministic":
        mean = dist.mean
        return lambda: mean
    if dist.law == "exponential":
        rate = 1.0 / dist.mean
        expo = rng.expovariate
        return lambda: expo(rate)
    sigma2 = math.log1p(dist.cv * dist.cv)
    sigma = math.sqrt(sigma2)
    mu = math.log(dist.mean) - sigma2 / 2.0
    logn = rng.lognormvariate
    return lambda: logn(mu, sigma)


class _Customer:
    __slots__ = (
        "ahead",
        "arrival",
        "attempt",
        "callback",
        "counted",
        "estimate",
        "in_line",
        "preds",
        "promise_start",
        "ql",
        "rid",
        "sid",
        "state",
        "turn",
        "turned",
    )

    def __init__(self, rid: str, arrival: float, counted: bool) -> None:
        self.rid = rid
        self.arrival = arrival
        self.counted = counted
        self.state = _WAITING
        self.estimate: Estimate | None = None
        self.in_line = False
        self.preds: tuple[float, ...] | None = None
        self.ahead = 0
        self.ql = 0.0
        self.callback = False
        """Holds a live callback (promised, ringing or retrying)."""
        self.promise_start = 0.0
        """Arrival + the estimate's low end: a first ring before it is counted early."""
        self.turned = False
        """A specialist has taken the request once (its wait was observed then)."""
        self.turn = 0.0
        """When a specialist last took the request."""
        self.sid = ""
        self.attempt = 0


class _WaitsAhead(Sequence[float]):
    """How long the `count` real customers ahead have waited, head first, without a copy.

    The line holds ghosts among them (in arrival order, as the customers); the j-th real one
    is looked for near its share of the line, so a read costs O(1) whatever the line's length
    (the estimator reads a sample of at most 16). The last entry of the line is the customer
    being estimated and is never read.
    """

    def __init__(self, line: deque[_Customer], now: float, count: int) -> None:
        self._line = line
        self._now = now
        self._count = count
        self._scale = (len(line) - 1) / count if count else 0.0

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[float]: ...

    def __getitem__(self, index: int | slice) -> float | Sequence[float]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        if index < 0:
            index += self._count
        line = self._line
        i = min(int(index * self._scale), len(line) - 2)
        while i < len(line) - 2 and line[i].state != _WAITING:
            i += 1
        return self._now - line[i].arrival


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
        seed = sc.seed
        arrivals_rng = random.Random(seed * 7 + 1)
        handle_draw = sampler(sc.handle, random.Random(seed * 7 + 2))
        patience_draw = sampler(sc.patience, random.Random(seed * 7 + 3))
        choice = random.Random(seed * 7 + 4).random
        model = self.model
        uses_elapsed = model.uses_elapsed
        rec = Recorder(seed)

        clock = FakeClock(0.0)
        engine = Engine(clock, offer_timeout=60.0, customer_grace=0.0, keep_ended=1000)
        engine.add_queue(QUEUE, SKILL)
        specialists = [f"s{i}" for i in range(sc.max_servers)]
        for sid in specialists:
            engine.set_specialist(sid, skills={SKILL: 1}, capacity=1)
        on_duty: dict[str, None] = {}  # a dict, not a set: its order must not depend on hashing
        off_duty: list[str] = list(reversed(specialists))
        busy: dict[str, tuple[_Customer, float]] = {}  # specialist -> (customer, started)

        mu_true = 1.0 / sc.handle.mean
        theta_true = 0.0 if sc.patience.law == "none" else 1.0 / sc.patience.mean
        exact_cache: dict[tuple[int, int], float] = {}
        customers: dict[str, _Customer] = {}
        line: deque[_Customer] = deque()  # delayed customers and ghosts, in arrival order
        les: deque[float] = deque(maxlen=10)
        les_sum = 0.0
        last_les = 0.0
        callbacks = sc.callbacks
        cbs: Callbacks | None = None
        answer = 1.0
        answer_draw = sampler(Distribution("deterministic", 0.0), random.Random(0))
        if callbacks is not None:
            policy = CallbackPolicy(
                ring_timeout=callbacks.ring_timeout,
                attempts=callbacks.attempts,
                spacing=callbacks.spacing,
                on_failure=OnFailure(callbacks.on_failure),
            )
            cbs = Callbacks(policy, keep_ended=1000)
            self.callbacks = cbs
            answer = callbacks.answer
            delay = callbacks.answer_delay
            answer_draw = sampler(
                Distribution("exponential", delay)
                if delay > 0
                else Distribution("deterministic", 0.0),
                random.Random(seed * 7 + 5),
            )
        ring_draw = random.Random(seed * 7 + 6).random
        ticks: set[float] = set()  # the times of the callbacks' tick events in the heap
        cb_offered = cb_accepted = cb_early = cb_missed = cb_requeued = cb_rings = 0
        arrivals_n = served_n = abandoned_n = immediate_n = delayed_n = 0
        answered_in_time = 0
        no_one = 0
        changes = sc.staffing_changes(sc.duration)
        varying = len(changes) > 1
        change_idx = 0

        heap: list[tuple[float, int, int, object]] = []
        seq = 0
        arrivals = sc.arrivals
        max_rate = arrivals.max_rate
        constant = arrivals.pattern == "constant"
        duration = sc.duration
        warmup = sc.warmup
        threshold = sc.service_level
        sample_every = duration / 2000.0
        next_sample = 0.0
        series: list[tuple[float, int]] = []
        next_progress = duration / _PROGRESS_STEPS

        trace = iter(self._trace) if self._trace is not None else None

        def next_arrival(t: float) -> float:
            if trace is not None:
                return next(trace, math.inf)
            while True:
                t += arrivals_rng.expovariate(max_rate)
                if constant or arrivals_rng.random() * max_rate <= arrivals.rate_at(t):
                    return t

        def reach_ghosts(now: float, until: _Customer | None) -> None:
            """The line reaches its front ghosts (up to `until`): record their offered waits."""
            while line:
                c = line[0]
                if c is until:
                    line.popleft()
                    return
                if c.state != _GHOST:
                    return
                line.popleft()
                if c.counted and c.preds is not None:
                    assert c.estimate is not None
                    rec.offered(
                        now - c.arrival, c.preds, c.estimate.low, c.estimate.high, c.ahead, c.ql
                    )

        def on_offer(now: float, rid: str, sid: str) -> Sequence[object]:
            """The specialist takes the offer at once; a callback rings, else the chat starts."""
            nonlocal les_sum, last_les
            c = customers[rid]
            c.turn = now
            c.sid = sid
            busy[sid] = (c, now)
            if not c.turned:  # the line reached it: its wait ended served
                c.turned = True
                waited = now - c.arrival
                if c.in_line:
                    reach_ghosts(now, c)
                    if c.counted and c.preds is not None:
                        assert c.estimate is not None
                        rec.offered(waited, c.preds, c.estimate.low, c.estimate.high, c.ahead, c.ql)
                model.observe_wait(waited, False)
                if c.estimate is not None:
                    model.observe_outcome(c.estimate, waited, served=True, patient=c.callback)
                if len(les) == les.maxlen:
                    les_sum -= les[0]
                les.append(waited)
                les_sum += waited
                last_les = waited
            if c.callback:  # the specialist is with the request; the app rings
                assert cbs is not None
                c.state = _RINGING
                effects = engine.accept(rid, sid)
                on_callbacks(now, cbs.ring(rid, now))
                return effects
            start_chat(now, c)
            return engine.accept(rid, sid)

        def start_chat(now: float, c: _Customer) -> None:
            """The chat starts (at once, or when the customer answers the ring)."""
            nonlocal served_n, answered_in_time, seq
            c.state = _SERVED
            if c.counted:
                waited = c.turn - c.arrival
                served_n += 1
                rec.answered(waited)
                if waited <= threshold:
                    answered_in_time += 1
            seq += 1
            heapq.heappush(heap, (now + handle_draw(), seq, _DONE, c.sid))

        def released(now: float, sid: str, effects: Sequence[object]) -> None:
            """The specialist is free again: act on the effects; an idle one reaches ghosts."""
            offered = apply(now, effects)
            if sid not in on_duty:
                off_duty.append(sid)
            elif not offered:
                reach_ghosts(now, None)

        def wait_again(now: float, c: _Customer) -> None:
            """A failed callback requeued: a plain wait now, with a fresh patience."""
            nonlocal seq
            c.state = _WAITING
            patience = patience_draw()
            if patience < math.inf:
                seq += 1
                heapq.heappush(heap, (now + patience, seq, _GIVE_UP, c))

        def on_callbacks(now: float, effects: Sequence[CallbackEffect]) -> None:
            """Act on the callback core's effects, as the server's driver does."""
            nonlocal seq, cb_early, cb_rings, cb_missed, cb_requeued
            assert cbs is not None
            for effect in effects:
                kind = effect.__class__
                if kind is Ring:
                    assert isinstance(effect, Ring)
                    c = customers[effect.request_id]
                    c.attempt = effect.attempt
                    if c.counted:
                        cb_rings += 1
                        if effect.attempt == 1 and now < c.promise_start:
                            cb_early += 1
                    if ring_draw() < answer:
                        at = now + answer_draw()
                        if at < effect.until:  # else the ring times out (tick)
                            seq += 1
                            heapq.heappush(heap, (at, seq, _ANSWER, c))
                elif kind is CallbackMissed:
                    c = customers.pop(effect.request_id)
                    c.callback = False
                    if c.counted:
                        cb_missed += 1
                    ringing = c.state == _RINGING
                    c.state = _GHOST  # out of the line, or a ghost in it (never rung)
                    ended = engine.end_dead(c.rid, DeadEndCause.MISSED_CALLBACK)
                    if ringing:
                        del busy[c.sid]
                        released(now, c.sid, ended)
                    else:
                        apply(now, ended)
                elif kind is Requeue:
                    c = customers[effect.request_id]
                    c.callback = False
                    if c.counted:
                        cb_missed += 1
                        cb_requeued += 1
                    if c.state == _RINGING:  # with its specialist: back to the front
                        sid = c.sid
                        del busy[sid]
                        again = engine.requeue(c.rid, front=True)
                        engine.mark_callback(c.rid, False)
                        wait_again(now, c)
                        released(now, sid, again)
                    else:  # never rung: it waits on at its place
                        engine.mark_callback(c.rid, False)
                        wait_again(now, c)
            due = cbs.next_deadline()
            if due is not None and due not in ticks:
                ticks.add(due)
                seq += 1
                heapq.heappush(heap, (due, seq, _TICK, None))

        def apply(now: float, effects: Sequence[object]) -> bool:
            """Act on the engine's effects (accept offers at once); True if any offer."""
            offered = False
            pending: Sequence[object] = effects
            if OfferMade not in map(type, pending):  # most commands make no offer
                return False
            while pending:
                more: list[object] = []
                for effect in pending:
                    if effect.__class__ is OfferMade:
                        assert isinstance(effect, OfferMade)
                        offered = True
                        more += on_offer(now, effect.request_id, effect.specialist_id)
                pending = more
            return offered

        def set_staff(now: float, target: int) -> None:
            while len(on_duty) < target:
                # prefer someone still finishing a chat (they stay), then anyone off duty
                sid = next((s for s in busy if s not in on_duty), None) or off_duty.pop()
                if sid in off_duty:
                    off_duty.remove(sid)
                on_duty[sid] = None
                offered = apply(now, engine.set_presence(sid, Presence.AVAILABLE))
                if not offered and sid not in busy:
                    reach_ghosts(now, None)
            while len(on_duty) > target:
                free = [s for s in on_duty if s not in busy]
                sid = free[0] if free else next(iter(on_duty))
                del on_duty[sid]
                if sid not in busy:
                    off_duty.append(sid)
                apply(now, engine.set_presence(sid, Presence.AWAY))

        for at, _servers in changes:  # first, so staff comes on duty before a tie arrives
            seq += 1
            heapq.heappush(heap, (at, seq, _SHIFT, _servers))
        seq += 1
        heapq.heappush(heap, (next_arrival(0.0), seq, _ARRIVE, None))
        rid_n = 0
        events = 0
        wall = time.perf_counter()
        pop = heapq.heappop
        push = heapq.heappush

        while heap:
            now, _, kind, payload = pop(heap)
            clock.set(now)
            if kind == _ARRIVE:
                events += 1
                if now < duration:
                    seq += 1
                    push(heap, (next_arrival(now), seq, _ARRIVE, None))
                else:
                    continue
                rid_n += 1
                rid = f"r{rid_n}"
                counted = now >= warmup
                c = _Customer(rid, now, counted)
                customers[rid] = c
                if counted:
                    arrivals_n += 1
                effects = engine.submit(rid, QUEUE)
                if apply(now, effects) and c.state == _SERVED:
                    if counted:
                        immediate_n += 1
                    continue
                # all eligible specialists are busy: estimate, predict, maybe call back
                servers = len(on_duty)
                ahead = engine.waiting(QUEUE) - 1
                line.append(c)
                c.in_line = True
                if counted:
                    delayed_n += 1
                if servers == 0:
                    no_one += 1
                else:
                    staffing = None
                    if varying:
                        while change_idx < len(changes) and changes[change_idx][0] <= now:
                            change_idx += 1
                        staffing = [
                            (at - now, float(s))
                            for at, s in changes[change_idx : change_idx + _STAFFING_AHEAD]
                        ]
                    if not uses_elapsed:
                        elapsed = []
                    elif varying:
                        elapsed = [now - st for sid, (_, st) in busy.items() if sid in on_duty]
                    else:
                        # the estimator samples them anyway: the same sample, without a copy
                        step = -(-len(busy) // BUSY_SAMPLE) if len(busy) > BUSY_SAMPLE else 1
                        elapsed = [now - st for _, st in islice(busy.values(), 0, None, step)]
                    waited_ahead = _WaitsAhead(line, now, ahead)
                    est = model.estimate(ahead, float(servers), elapsed, staffing, waited_ahead)
                    c.estimate = est
                    c.ahead = ahead
                    key = (ahead, servers)
                    exact = exact_cache.get(key)
                    if exact is None:
                        exact = WaitLaw(ahead, servers * mu_true, theta_true).mean()
                        exact_cache[key] = exact
                    ql = (ahead + 1) / (servers * mu_true)
                    c.ql = ql
                    hol = 0.0
                    if ahead:
                        for other in line:
                            if other.state == _WAITING:
                                hol = now - other.arrival
                                break
                    c.preds = (
                        est.mean,
                        ql,
                        exact,
                        hol,
                        last_les,
                        les_sum / len(les) if les else 0.0,
                    )
                    if (
                        callbacks is not None
                        and est.mean > callbacks.offer_above
                        and math.isfinite(est.promise)
                    ):
                        if counted:
                            cb_offered += 1
                        if choice() < callbacks.accept:
                            assert cbs is not None
                            c.callback = True
                            c.promise_start = now + est.low
                            if counted:
                                cb_accepted += 1
                            # as the server's want_callback: the window ends at the promise
                            window = est.promise if 0 < est.promise < _LONGEST_WINDOW else None
                            engine.mark_callback(rid, True)
                            label = QUEUE if counted else WARMUP_QUEUE
                            on_callbacks(now, cbs.promise_in_queue(rid, label, now, window=window))
                if not c.callback:
                    patience = patience_draw()
                    if patience < math.inf:
                        seq += 1
                        push(heap, (now + patience, seq, _GIVE_UP, c))
            elif kind == _DONE:
                events += 1
                assert isinstance(payload, str)
                sid = payload
                c, started = busy.pop(sid)
                model.observe_service(now - started)
                del customers[c.rid]
                released(now, sid, engine.resolve(c.rid, sid))
            elif kind == _GIVE_UP:
                assert isinstance(payload, _Customer)
                c = payload
                if c.state != _WAITING:
                    continue
                events += 1
                c.state = _GHOST
                waited = now - c.arrival
                del customers[c.rid]
                if c.counted:
                    abandoned_n += 1
                if not c.turned:  # a requeued callback's wait was observed at its turn
                    model.observe_wait(waited, True)
                    if c.estimate is not None:
                        model.observe_outcome(c.estimate, waited, served=False)
                apply(now, engine.end_dead(c.rid, DeadEndCause.ABANDONED))
            elif kind == _SHIFT:
                events += 1
                assert isinstance(payload, int)
                set_staff(now, payload)
            elif kind == _ANSWER:
                assert isinstance(payload, _Customer) and cbs is not None
                c = payload
                if c.state != _RINGING:
                    continue
                events += 1
                on_callbacks(now, cbs.answered(c.rid, now))
                c.callback = False
                start_chat(now, c)
            else:  # _TICK: the callbacks' deadlines (ring timeouts, retries, windows' ends)
                assert cbs is not None
                ticks.discard(now)
                due = cbs.tick(now)
                if due:
                    events += 1
                on_callbacks(now, due)
            if now >= next_sample and now < duration:
                series.append((now, engine.waiting(QUEUE)))
                next_sample = now + sample_every
            if now >= next_progress and progress is not None:
                progress(min(1.0, now / duration))
                next_progress = now + duration / _PROGRESS_STEPS
        wall = time.perf_counter() - wall
        if progress is not None:
            progress(1.0)
        self.events = events

        waits = sorted(rec.waits)
        # the promises kept and broken are the callback core's ledger's (scored customers)
        tally = cbs.ledger.tally(queue_id=QUEUE) if cbs is not None else None
        ended = served_n + abandoned_n
        unresolved = delayed_n - no_one - rec.offered_n
        return Results(
            scenario=sc.name,
            events=events,
            wall_seconds=wall,
            simulated_seconds=duration,
            arrivals=arrivals_n,
            served=served_n,
            abandoned=abandoned_n,
            immediate=immediate_n,
            delayed=delayed_n,
            unresolved=max(0, unresolved),
            service_level=answered_in_time / ended if ended else math.nan,
            service_level_threshold=threshold,
            abandonment=abandoned_n / ended if ended else math.nan,
            wait_mean=sum(waits) / len(waits) if waits else math.nan,
            wait_percentiles={
                f"p{int(p * 100)}": percentile(waits, p) for p in (0.5, 0.8, 0.9, 0.95, 0.99)
            },
            offered_mean=rec.offered_sum / rec.offered_n if rec.offered_n else math.nan,
            scores=rec.scores(),
            range_hit=1.0 - (rec.below + rec.above) / rec.offered_n if rec.offered_n else math.nan,
            range_below=rec.below / rec.offered_n if rec.offered_n else math.nan,
            range_above=rec.above / rec.offered_n if rec.offered_n else math.nan,
            range_width=rec.width / rec.offered_n if rec.offered_n else math.nan,
            window_hit=rec.window_hit / rec.offered_n if rec.offered_n else math.nan,
            window_early=rec.window_early / rec.offered_n if rec.offered_n else math.nan,
            buckets=rec.buckets(),
            callbacks=(
                CallbackStats(
                    offered=cb_offered,
                    accepted=cb_accepted,
                    called=tally.total,
                    kept=tally.rate if tally.rate is not None else math.nan,
                    early=cb_early / tally.total if tally.total else math.nan,
                    missed=cb_missed,
                    requeued=cb_requeued,
                    rings=cb_rings,
                )
                if tally is not None
                else None
            ),
            waits_sample=rec.waits,
            pairs_sample=rec.pairs,
            queue_series=series,
        )


def simulate(
    scenario: Scenario,
    model: QueueModel | None = None,
    progress: Callable[[float], None] | None = None,
) -> Results:
    """Run `scenario` once and summarise it."""
    return Simulation(scenario, model).run(progress)
