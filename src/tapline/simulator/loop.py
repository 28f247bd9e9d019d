"""The event loop's state and its handlers: one `Loop` per run (see `run.py`).

A class rather than closures over `Simulation.run`'s locals: compiled with mypyc, its typed
attributes and methods are plain struct fields and direct calls.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Final

from tapline.engine import DeadEndCause, Effect, Engine, FakeClock, OfferMade, Presence
from tapline.engine.callback_effects import CallbackEffect, CallbackMissed, Requeue, Ring
from tapline.engine.callbacks import Callbacks
from tapline.engine.estimate_law import WaitLaw
from tapline.engine.estimates import BUSY_SAMPLE, Estimate, QueueModel
from tapline.engine.queues import Queues
from tapline.simulator.customers import (
    GHOST,
    RINGING,
    SERVED,
    WAITING,
    BusyChats,
    Customer,
    Tally,
    WaitsAhead,
)
from tapline.simulator.draws import Draws
from tapline.simulator.metrics import Recorder
from tapline.simulator.scenario import Scenario

QUEUE: Final = "q"
WARMUP_QUEUE: Final = "q (warm-up)"
"""The callbacks' ledger label for promises made to customers arriving in the warm-up (not
scored); they are the same engine queue, `QUEUE`."""
SKILL: Final = "support"
# the kinds of the heap's events (arrivals wait beside it, see `Loop.run`)
_DONE: Final = 1
_GIVE_UP: Final = 2
_SHIFT: Final = 3
_ANSWER: Final = 4
_TICK: Final = 5
_PROGRESS_STEPS: Final = 200
_STAFFING_AHEAD: Final = 4
_LES_LAST: Final = 10
"""LES10 averages the waits of the last 10 customers to enter service."""

Event = tuple[float, int, int, object]
"""(time, sequence number, kind, payload): the heap's entries, in time then scheduling order."""


class Loop:
    """One run's state: the heap of events, the line, the busy specialists, the counts.

    `run` pops events until the heap is empty; each handler calls the engine's commands as
    the server would and acts on their effects (specialists accept offers at once).
    """

    def __init__(
        self,
        scenario: Scenario,
        model: QueueModel,
        engine: Engine,
        clock: FakeClock,
        callbacks: Callbacks | None,
        trace: list[float] | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> None:
        sc = scenario
        seed = sc.seed
        self.scenario = sc
        self.model = model
        self.queues = Queues(engine, callbacks)  # the server's coordination (engine/queues.py)
        self.queues.set_model(QUEUE, model)
        self.engine = engine
        self.clock = clock
        self.cbs = callbacks
        self.rec = Recorder(seed)
        self.tally = Tally()
        self.events = 0
        self._trace = trace
        self._trace_at = 0
        self._progress = progress
        self._draws = Draws(sc)
        self._uses_elapsed = model.uses_elapsed
        self.on_duty: dict[str, None] = {}  # a dict, not a set: its order must not hang on hashing
        self.off_duty: list[str] = [f"s{i}" for i in reversed(range(sc.max_servers))]
        self.busy = BusyChats()  # specialist -> customer (chatting since customer.turn)
        self._mu_true = 1.0 / sc.handle.mean
        self._theta_true = 0.0 if sc.patience.law == "none" else 1.0 / sc.patience.mean
        self._exact_cache: dict[tuple[int, int], float] = {}
        self.customers: dict[str, Customer] = {}
        self.line: deque[Customer] = deque()  # delayed customers and ghosts, in arrival order
        self._les: deque[float] = deque(maxlen=_LES_LAST)
        self._les_sum = 0.0
        self._last_les = 0.0
        self._offer = sc.callbacks
        self._answer = sc.callbacks.answer if sc.callbacks is not None else 1.0
        self._ticks: set[float] = set()  # the times of the callbacks' tick events in the heap
        self.changes = sc.staffing_changes(sc.duration)
        self._varying = len(self.changes) > 1
        self._change_at = 0
        self.heap: list[Event] = []
        self._seq = 0
        self._arrival_at = 0.0
        self._arrival_order = 0
        self._arrival_due = False
        self._arrivals = sc.arrivals
        self._max_rate = sc.arrivals.max_rate
        self._constant = sc.arrivals.pattern == "constant"
        self._duration = sc.duration
        self._warmup = sc.warmup
        self._threshold = sc.service_level
        self._sample_every = sc.duration / 2000.0
        self._next_sample = 0.0
        self.series: list[tuple[float, int]] = []
        self._next_progress = sc.duration / _PROGRESS_STEPS
        self._rid_n = 0

    def _push(self, at: float, kind: int, payload: object) -> None:
        self._seq += 1
        heappush(self.heap, (at, self._seq, kind, payload))

    def run(self) -> None:
        """Every event in time order (then in the order they were scheduled), until none is
        left. The next arrival (there is only ever one) waits beside the heap: a push and a
        pop fewer per customer."""
        for at, servers in self.changes:  # first, so staff comes on duty before a tie arrives
            self._push(at, _SHIFT, servers)
        self._schedule_arrival(self._next_arrival(0.0))
        heap = self.heap
        clock = self.clock
        duration = self._duration
        progress = self._progress
        while heap or self._arrival_due:
            if self._arrival_due and (not heap or self._arrival_first(heap[0])):
                now = self._arrival_at
                self._arrival_due = False
                clock.set(now)
                moved = self._arrive(now)
            else:
                now, _, kind, payload = heappop(heap)
                clock.set(now)
                moved = self._event(now, kind, payload)
            if not moved:  # nothing changed: no sample, no progress
                continue
            if now >= self._next_sample and now < duration:
                self.series.append((now, self.engine.waiting(QUEUE)))
                self._next_sample = now + self._sample_every
            if now >= self._next_progress and progress is not None:
                progress(min(1.0, now / duration))
                self._next_progress = now + duration / _PROGRESS_STEPS

    def _schedule_arrival(self, at: float) -> None:
        self._seq += 1
        self._arrival_at = at
        self._arrival_order = self._seq
        self._arrival_due = True

    def _arrival_first(self, top: Event) -> bool:
        """Whether the next arrival comes before the heap's first event."""
        at = self._arrival_at
        return at < top[0] or (at == top[0] and self._arrival_order < top[1])

    def _event(self, now: float, kind: int, payload: object) -> bool:
        """An event from the heap; False if it changed nothing (no sample, no progress)."""
        if kind == _DONE:
            assert isinstance(payload, str)
            return self._chat_done(now, payload)
        if kind == _GIVE_UP:
            assert isinstance(payload, Customer)
            return self._give_up(now, payload)
        if kind == _SHIFT:
            assert isinstance(payload, int)
            self.events += 1
            self._set_staff(now, payload)
            return True
        if kind == _ANSWER:
            assert isinstance(payload, Customer)
            return self._answered(now, payload)
        self._tick(now)
        return True

    def _next_arrival(self, t: float) -> float:
        trace = self._trace
        if trace is not None:
            if self._trace_at >= len(trace):
                return math.inf
            self._trace_at += 1
            return trace[self._trace_at - 1]
        rate = self._max_rate
        arrivals = self._arrivals
        while True:  # thinning; the draws are random.expovariate's
            t += -math.log(1.0 - self._draws.arrival()) / rate
            if self._constant or self._draws.arrival() * rate <= arrivals.rate_at(t):
                return t

    # -- Events ---------------------------------------------------------------------------

    def _arrive(self, now: float) -> bool:
        """A customer arrives: submitted; one not offered a specialist at once is estimated."""
        self.events += 1
        if now >= self._duration:
            return False
        self._schedule_arrival(self._next_arrival(now))
        self._rid_n += 1
        rid = f"r{self._rid_n}"
        counted = now >= self._warmup
        c = Customer(rid, now, counted)
        self.customers[rid] = c
        tally = self.tally
        if counted:
            tally.arrivals += 1
        if self._apply(now, self.engine.submit(rid, QUEUE)) and c.state == SERVED:
            if counted:
                tally.immediate += 1
            return False
        # all eligible specialists are busy: estimate, predict, maybe call back
        ahead = self.engine.waiting(QUEUE) - 1
        self.line.append(c)
        c.in_line = True
        if counted:
            tally.delayed += 1
        if not self.on_duty:
            tally.no_one += 1
        else:
            est = self._estimate(now, c, ahead)
            offer = self._offer
            if offer is not None and est.mean > offer.offer_above and math.isfinite(est.promise):
                self._offer_callback(now, c, est)
        if not c.callback:
            patience = self._draws.patience.draw()
            if patience < math.inf:
                self._push(now + patience, _GIVE_UP, c)
        return True

    def _chat_done(self, now: float, sid: str) -> bool:
        self.events += 1
        c = self.busy.pop(sid)
        self.queues.handled(QUEUE, now - c.turn)
        del self.customers[c.rid]
        self._released(now, sid, self.engine.resolve(c.rid, sid))
        return True

    def _give_up(self, now: float, c: Customer) -> bool:
        """The customer's patience ran out: a ghost in the line if still waiting."""
        if c.state != WAITING:
            return False
        self.events += 1
        c.state = GHOST
        waited = now - c.arrival
        del self.customers[c.rid]
        if c.counted:
            self.tally.abandoned += 1
        if not c.turned:  # a requeued callback's wait was observed at its turn
            self.queues.abandoned(c.rid, QUEUE, waited)
        self._apply(now, self.engine.end_dead(c.rid, DeadEndCause.ABANDONED))
        return True

    def _answered(self, now: float, c: Customer) -> bool:
        """The customer answers the callback's ring: the chat starts."""
        if c.state != RINGING:
            return False
        cbs = self.cbs
        assert cbs is not None
        self.events += 1
        self._on_callbacks(now, cbs.answered(c.rid, now))
        c.callback = False
        self._start_chat(now, c)
        return True

    def _tick(self, now: float) -> None:
        """The callbacks' deadlines: ring timeouts, retries, windows' ends."""
        cbs = self.cbs
        assert cbs is not None
        self._ticks.discard(now)
        due = cbs.tick(now)
        if due:
            self.events += 1
        self._on_callbacks(now, due)

    # -- A delayed customer's estimate and predictions -------------------------------------

    def _estimate(self, now: float, c: Customer, ahead: int) -> Estimate:
        """tapline's estimate for a customer who has to wait, and the references' predictions."""
        servers = len(self.on_duty)
        staffing: list[tuple[float, float]] | None = None
        if self._varying:
            changes = self.changes
            while self._change_at < len(changes) and changes[self._change_at][0] <= now:
                self._change_at += 1
            staffing = [
                (at - now, float(s))
                for at, s in changes[self._change_at : self._change_at + _STAFFING_AHEAD]
            ]
        waited_ahead = WaitsAhead(self.line, now, ahead)
        est = self.model.estimate(ahead, float(servers), self._elapsed(now), staffing, waited_ahead)
        c.estimate = est
        self.queues.estimated(c.rid, est)
        c.ahead = ahead
        key = (ahead, servers)
        exact = self._exact_cache.get(key)
        if exact is None:
            exact = WaitLaw(ahead, servers * self._mu_true, self._theta_true).mean()
            self._exact_cache[key] = exact
        ql = (ahead + 1) / (servers * self._mu_true)
        c.ql = ql
        hol = 0.0
        if ahead:
            for other in self.line:
                if other.state == WAITING:
                    hol = now - other.arrival
                    break
        les = self._les
        c.preds = (
            est.mean,
            ql,
            exact,
            hol,
            self._last_les,
            self._les_sum / len(les) if les else 0.0,
        )
        return est

    def _elapsed(self, now: float) -> list[float]:
        """How long the on-duty specialists' chats have run (what the estimator looks at)."""
        if not self._uses_elapsed:
            return []
        busy = self.busy
        if self._varying:
            on_duty = self.on_duty
            return [now - c.turn for sid, c in busy.items() if sid in on_duty]
        # the estimator samples them anyway: the same sample, without a pass over all
        return [now - c.turn for c in busy.sample(BUSY_SAMPLE)]

    def _offer_callback(self, now: float, c: Customer, est: Estimate) -> None:
        """Offered "call me back": accepted with the scenario's probability."""
        offer = self._offer
        cbs = self.cbs
        assert offer is not None and cbs is not None
        tally = self.tally
        if c.counted:
            tally.cb_offered += 1
        if self._draws.choice() >= offer.accept:
            return
        c.callback = True
        c.promise_start = now + est.low
        if c.counted:
            tally.cb_accepted += 1
        label = QUEUE if c.counted else WARMUP_QUEUE
        # the server's want_callback makes the same promise (engine/queues.py)
        self._on_callbacks(now, self.queues.promise_in_queue(c.rid, label, now, est))

    # -- The engine's effects ------------------------------------------------------------

    def _apply(self, now: float, effects: list[Effect]) -> bool:
        """Act on the engine's effects (accept offers at once); True if any offer."""
        for effect in effects:
            if type(effect) is OfferMade:
                break
        else:  # most commands make no offer
            return False
        offered = False
        pending = effects
        while pending:
            more: list[Effect] = []
            for effect in pending:
                if type(effect) is OfferMade:
                    offered = True
                    more += self._on_offer(now, effect.request_id, effect.specialist_id)
            pending = more
        return offered

    def _on_offer(self, now: float, rid: str, sid: str) -> list[Effect]:
        """The specialist takes the offer at once; a callback rings, else the chat starts."""
        c = self.customers[rid]
        c.turn = now
        c.sid = sid
        self.busy.add(sid, c)
        if not c.turned:  # the line reached it: its wait ended served
            c.turned = True
            self._reached(now, c)
        if c.callback:  # the specialist is with the request; the app rings
            c.state = RINGING
            effects = self.engine.accept(rid, sid)
            self._on_callbacks(now, self.queues.callback_turn(rid, now))
            return effects
        self._start_chat(now, c)
        return self.engine.accept(rid, sid)

    def _reached(self, now: float, c: Customer) -> None:
        """The line reached a customer: their offered wait is recorded and observed."""
        waited = now - c.arrival
        if c.in_line:
            self._reach_ghosts(now, c)
            est = c.estimate
            if c.counted and c.preds is not None:
                assert est is not None
                self.rec.offered(waited, c.preds, est.low, est.high, c.ahead, c.ql)
        self.queues.served(c.rid, QUEUE, waited, patient=c.callback)
        les = self._les
        if len(les) == _LES_LAST:
            self._les_sum -= les[0]
        les.append(waited)
        self._les_sum += waited
        self._last_les = waited

    def _reach_ghosts(self, now: float, until: Customer | None) -> None:
        """The line reaches its front ghosts (up to `until`): record their offered waits."""
        line = self.line
        while line:
            c = line[0]
            if c is until:
                line.popleft()
                return
            if c.state != GHOST:
                return
            line.popleft()
            est = c.estimate
            if c.counted and c.preds is not None:
                assert est is not None
                self.rec.offered(now - c.arrival, c.preds, est.low, est.high, c.ahead, c.ql)

    def _start_chat(self, now: float, c: Customer) -> None:
        """The chat starts (at once, or when the customer answers the ring)."""
        c.state = SERVED
        if c.counted:
            waited = c.turn - c.arrival
            tally = self.tally
            tally.served += 1
            self.rec.answered(waited)
            if waited <= self._threshold:
                tally.answered_in_time += 1
        self._push(now + self._draws.handle.draw(), _DONE, c.sid)

    def _released(self, now: float, sid: str, effects: list[Effect]) -> None:
        """The specialist is free again: act on the effects; an idle one reaches ghosts."""
        offered = self._apply(now, effects)
        if sid not in self.on_duty:
            self.off_duty.append(sid)
        elif not offered:
            self._reach_ghosts(now, None)

    def _set_staff(self, now: float, target: int) -> None:
        """A shift change: specialists come on duty, or leave (finishing their chat)."""
        on_duty = self.on_duty
        off_duty = self.off_duty
        busy = self.busy
        engine = self.engine
        while len(on_duty) < target:
            # prefer someone still finishing a chat (they stay), then anyone off duty
            sid = next((s for s in busy if s not in on_duty), None) or off_duty.pop()
            if sid in off_duty:
                off_duty.remove(sid)
            on_duty[sid] = None
            offered = self._apply(now, engine.set_presence(sid, Presence.AVAILABLE))
            if not offered and sid not in busy:
                self._reach_ghosts(now, None)
        while len(on_duty) > target:
            free = [s for s in on_duty if s not in busy]
            sid = free[0] if free else next(iter(on_duty))
            del on_duty[sid]
            if sid not in busy:
                off_duty.append(sid)
            self._apply(now, engine.set_presence(sid, Presence.AWAY))

    # -- Callbacks ------------------------------------------------------------------------

    def _on_callbacks(self, now: float, effects: Sequence[CallbackEffect]) -> None:
        """Act on the callback core's effects, as the server's driver does."""
        cbs = self.cbs
        assert cbs is not None
        for effect in effects:
            if type(effect) is Ring:
                self._ring(now, effect)
            elif type(effect) is CallbackMissed:
                self._missed(now, self.customers.pop(effect.request_id))
            elif type(effect) is Requeue:
                self._requeue(now, self.customers[effect.request_id])
        due = cbs.next_deadline()
        if due is not None and due not in self._ticks:
            self._ticks.add(due)
            self._push(due, _TICK, None)

    def _ring(self, now: float, ring: Ring) -> None:
        """The app rings the customer, who answers (an event) or lets it time out (a tick)."""
        c = self.customers[ring.request_id]
        c.attempt = ring.attempt
        if c.counted:
            self.tally.cb_rings += 1
            if ring.attempt == 1 and now < c.promise_start:
                self.tally.cb_early += 1
        if self._draws.ring() < self._answer:
            at = now + self._draws.answer_delay.draw()
            if at < ring.until:  # else the ring times out (tick)
                self._push(at, _ANSWER, c)

    def _missed(self, now: float, c: Customer) -> None:
        """Every ring went unanswered and the policy cancels: a missed-callback dead end."""
        c.callback = False
        self.queues.forget(c.rid)  # never reached (a rung one was, at its turn)
        if c.counted:
            self.tally.cb_missed += 1
        ringing = c.state == RINGING
        c.state = GHOST  # out of the line, or a ghost in it (never rung)
        ended = self.queues.callback_missed(c.rid)
        if ringing:
            self.busy.pop(c.sid)
            self._released(now, c.sid, ended)
        else:
            self._apply(now, ended)

    def _requeue(self, now: float, c: Customer) -> None:
        """Every ring went unanswered and the policy requeues: a plain wait again."""
        c.callback = False
        if c.counted:
            self.tally.cb_missed += 1
            self.tally.cb_requeued += 1
        again = self.queues.callback_requeued(c.rid)  # with its specialist: to the front
        if c.state == RINGING:
            sid = c.sid
            self.busy.pop(sid)
            self._wait_again(now, c)
            self._released(now, sid, again)
        else:  # never rung: it waits on at its place
            self._wait_again(now, c)

    def _wait_again(self, now: float, c: Customer) -> None:
        """A failed callback requeued: a plain wait now, with a fresh patience."""
        c.state = WAITING
        patience = self._draws.patience.draw()
        if patience < math.inf:
            self._push(now + patience, _GIVE_UP, c)
