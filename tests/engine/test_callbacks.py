"""Callbacks: promise windows, the ringing and retry policy, promises kept, the ledger."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tapline.engine.callback_effects import (
    CallbackChanged,
    CallbackDue,
    CallbackEffect,
    CallbackMissed,
    Promised,
    PromiseSettled,
    Requeue,
    Ring,
    StopRinging,
)
from tapline.engine.callback_ledger import PromiseLedger, PromiseTally
from tapline.engine.callback_states import (
    FINAL_CALLBACK_STATES,
    TRANSITIONS,
    CallbackKind,
    CallbackPolicy,
    CallbackState,
    DuplicateCallback,
    InvalidCallbackTransition,
    OnFailure,
    PromiseOutcome,
    UnknownCallback,
)
from tapline.engine.callbacks import Callbacks
from tapline.engine.errors import EngineError, InvalidArgument
from tapline.engine.states import DeadEndCause

C = CallbackState
K = CallbackKind
P = PromiseOutcome
T0 = 1_000_000.0
POLICY = CallbackPolicy(ring_timeout=30.0, attempts=3, spacing=60.0, give_up_after=600.0)


@pytest.fixture
def callbacks() -> Callbacks:
    return Callbacks(POLICY)


# -- In-queue callbacks --------------------------------------------------------------------


def test_in_queue_callback_rung_within_its_window_is_kept(callbacks: Callbacks) -> None:
    # The customer was shown "about 6 min (4-8)": the promise runs to the upper end.
    assert callbacks.promise_in_queue("r1", "pay", T0, window=480.0) == [
        Promised("r1", "pay", K.IN_QUEUE, T0, T0 + 480.0)
    ]
    assert callbacks.next_deadline() == T0 + 480.0
    assert callbacks.pending() == [callbacks.get("r1")]
    assert callbacks.ring("r1", T0 + 300.0) == [
        CallbackChanged("r1", C.PROMISED, C.RINGING, 1),
        Ring("r1", 1, T0 + 330.0),
        PromiseSettled("r1", "pay", K.IN_QUEUE, P.KEPT),
    ]
    assert callbacks.pending() == []
    assert callbacks.answered("r1", T0 + 310.0) == [
        StopRinging("r1", "answered"),
        CallbackChanged("r1", C.RINGING, C.ANSWERED, 1),
    ]
    cb = callbacks.get("r1")
    assert (cb.state, cb.kept, cb.first_rung_at, cb.ended_at) == (
        C.ANSWERED,
        True,
        T0 + 300.0,
        T0 + 310.0,
    )
    assert cb.deadline is None and cb.is_final
    assert callbacks.next_deadline() is None
    assert callbacks.ledger.tally() == PromiseTally(kept=1)


def test_without_an_estimate_the_window_is_the_policy_bound(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("r1", "pay", T0)
    assert callbacks.get("r1").window_end == T0 + POLICY.in_queue_window


def test_the_window_ends_unrung_the_promise_is_broken_and_stays_broken(
    callbacks: Callbacks,
) -> None:
    callbacks.promise_in_queue("r1", "pay", T0, window=480.0)
    assert callbacks.tick(T0 + 479.0) == []
    assert callbacks.tick(T0 + 480.0) == [PromiseSettled("r1", "pay", K.IN_QUEUE, P.BROKEN)]
    assert callbacks.get("r1").state is C.PROMISED
    assert callbacks.next_deadline() == T0 + 480.0 + 600.0  # giving up
    effects = callbacks.ring("r1", T0 + 500.0)
    assert not any(isinstance(e, PromiseSettled) for e in effects)
    assert callbacks.get("r1").promise is P.BROKEN
    assert callbacks.ledger.tally() == PromiseTally(broken=1)


def test_a_first_ring_at_the_window_end_is_late(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("r1", "pay", T0, window=480.0)
    effects = callbacks.ring("r1", T0 + 480.0)
    assert effects[-1] == PromiseSettled("r1", "pay", K.IN_QUEUE, P.BROKEN)


# -- The retry policy ----------------------------------------------------------------------


def ring_out(callbacks: Callbacks, t: float) -> list[CallbackEffect]:
    """Let every attempt time out, ticking at each deadline; return all the effects."""
    effects: list[CallbackEffect] = []
    while (deadline := callbacks.next_deadline()) is not None and deadline <= t:
        effects += callbacks.tick(deadline)
    return effects


def test_unanswered_attempts_are_retried_then_requeued(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("r1", "pay", T0, window=480.0)
    callbacks.ring("r1", T0 + 100.0)
    assert callbacks.next_deadline() == T0 + 130.0
    assert callbacks.tick(T0 + 130.0) == [
        StopRinging("r1", "no_answer"),
        CallbackChanged("r1", C.RINGING, C.RETRYING, 1),
    ]
    assert callbacks.next_deadline() == T0 + 190.0
    assert callbacks.tick(T0 + 190.0) == [
        CallbackChanged("r1", C.RETRYING, C.RINGING, 2),
        Ring("r1", 2, T0 + 220.0),
    ]
    assert ring_out(callbacks, T0 + 1_000.0) == [
        StopRinging("r1", "no_answer"),
        CallbackChanged("r1", C.RINGING, C.RETRYING, 2),
        CallbackChanged("r1", C.RETRYING, C.RINGING, 3),
        Ring("r1", 3, T0 + 310.0),
        StopRinging("r1", "no_answer"),
        CallbackChanged("r1", C.RINGING, C.REQUEUED, 3),
        Requeue("r1", "pay", K.IN_QUEUE, POLICY.requeue_message),
    ]
    assert callbacks.get("r1").kept  # the promise was about the first ring


def test_the_cancel_policy_ends_in_a_missed_callback_dead_end() -> None:
    callbacks = Callbacks(replace(POLICY, attempts=1, on_failure=OnFailure.CANCEL))
    callbacks.promise_in_queue("r1", "pay", T0)
    callbacks.ring("r1", T0 + 10.0)
    assert callbacks.tick(T0 + 40.0) == [
        StopRinging("r1", "no_answer"),
        CallbackChanged("r1", C.RINGING, C.MISSED, 1),
        CallbackMissed("r1", "pay", DeadEndCause.MISSED_CALLBACK, POLICY.failure_message),
    ]


def test_a_declined_ring_counts_as_unanswered_now(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("r1", "pay", T0)
    callbacks.ring("r1", T0 + 10.0)
    assert callbacks.no_answer("r1", T0 + 15.0) == [
        StopRinging("r1", "no_answer"),
        CallbackChanged("r1", C.RINGING, C.RETRYING, 1),
    ]
    assert callbacks.next_deadline() == T0 + 75.0


def test_ringing_again_early_skips_the_spacing(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("r1", "pay", T0)
    callbacks.ring("r1", T0)
    callbacks.tick(T0 + 30.0)
    assert callbacks.ring("r1", T0 + 40.0) == [
        CallbackChanged("r1", C.RETRYING, C.RINGING, 2),
        Ring("r1", 2, T0 + 70.0),
    ]
    assert callbacks.answered("r1", T0 + 45.0)[-1] == CallbackChanged(
        "r1", C.RINGING, C.ANSWERED, 2
    )


def test_a_late_tick_handles_every_deadline_in_order(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("r1", "pay", T0)
    callbacks.ring("r1", T0)
    # Ticked only at T0 + 200: attempt 1 timed out at 30, attempt 2 was due at 90 and rings
    # from 200 (the ring really starts now), so it is still ringing.
    assert callbacks.tick(T0 + 200.0) == [
        StopRinging("r1", "no_answer"),
        CallbackChanged("r1", C.RINGING, C.RETRYING, 1),
        CallbackChanged("r1", C.RETRYING, C.RINGING, 2),
        Ring("r1", 2, T0 + 230.0),
    ]


# -- Scheduled callbacks -------------------------------------------------------------------


def test_a_scheduled_callback_is_due_at_its_slot_and_kept_in_it(callbacks: Callbacks) -> None:
    slot = T0 + 3_600.0
    assert callbacks.promise_scheduled("r1", "pay", slot, slot + 900.0, T0) == [
        Promised("r1", "pay", K.SCHEDULED, slot, slot + 900.0)
    ]
    assert callbacks.next_deadline() == slot
    assert callbacks.tick(slot) == [CallbackDue("r1", "pay", slot + 900.0)]
    assert callbacks.next_deadline() == slot + 900.0
    assert callbacks.ring("r1", slot + 60.0)[-1] == PromiseSettled("r1", "pay", K.SCHEDULED, P.KEPT)


def test_a_scheduled_callback_rung_before_its_slot_breaks_the_promise(
    callbacks: Callbacks,
) -> None:
    slot = T0 + 3_600.0
    callbacks.promise_scheduled("r1", "pay", slot, slot + 900.0, T0)
    assert callbacks.ring("r1", slot - 1.0)[-1].outcome is P.BROKEN  # type: ignore[union-attr]


def test_a_scheduled_callback_never_rung_is_given_up() -> None:
    callbacks = Callbacks(replace(POLICY, on_failure=OnFailure.CANCEL))
    slot = T0 + 3_600.0
    callbacks.promise_scheduled("r1", "pay", slot, slot + 900.0, T0)
    assert callbacks.tick(slot + 10_000.0) == [
        CallbackDue("r1", "pay", slot + 900.0),
        PromiseSettled("r1", "pay", K.SCHEDULED, P.BROKEN),
        CallbackChanged("r1", C.PROMISED, C.MISSED, 0),
        CallbackMissed("r1", "pay", DeadEndCause.MISSED_CALLBACK, POLICY.failure_message),
    ]
    assert callbacks.live() == []


# -- Cancel and reschedule -----------------------------------------------------------------


def test_cancel_before_the_ring_makes_the_promise_void(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("r1", "pay", T0)
    assert callbacks.cancel("r1", T0 + 5.0) == [
        PromiseSettled("r1", "pay", K.IN_QUEUE, P.VOID),
        CallbackChanged("r1", C.PROMISED, C.CANCELLED, 0),
    ]
    assert callbacks.ledger.tally() == PromiseTally(void=1)
    assert callbacks.ledger.tally().rate is None
    assert callbacks.next_deadline() is None


def test_cancel_while_ringing_stops_the_ring(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("r1", "pay", T0)
    callbacks.ring("r1", T0 + 1.0)
    assert callbacks.cancel("r1", T0 + 5.0) == [
        StopRinging("r1", "cancelled"),
        CallbackChanged("r1", C.RINGING, C.CANCELLED, 1),
    ]
    assert callbacks.ledger.tally() == PromiseTally(kept=1)


def test_reschedule_replaces_the_callback_with_a_scheduled_one(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("r1", "pay", T0)
    callbacks.ring("r1", T0 + 1.0)
    slot = T0 + 7_200.0
    assert callbacks.reschedule("r1", slot, slot + 900.0, T0 + 5.0) == [
        StopRinging("r1", "rescheduled"),
        CallbackChanged("r1", C.RINGING, C.RESCHEDULED, 1),
        Promised("r1", "pay", K.SCHEDULED, slot, slot + 900.0),
    ]
    cb = callbacks.get("r1")
    assert (cb.kind, cb.state, cb.attempt, cb.promise) == (K.SCHEDULED, C.PROMISED, 0, None)
    callbacks.reschedule("r1", slot + 900.0, slot + 1_800.0, T0 + 6.0)
    assert callbacks.ledger.tally() == PromiseTally(kept=1, void=1)
    assert callbacks.next_deadline() == slot + 900.0


# -- Errors change nothing -----------------------------------------------------------------


def test_errors(callbacks: Callbacks) -> None:
    with pytest.raises(UnknownCallback):
        callbacks.ring("nope", T0)
    with pytest.raises(UnknownCallback):
        callbacks.get("nope")
    callbacks.promise_in_queue("r1", "pay", T0)
    with pytest.raises(DuplicateCallback):
        callbacks.promise_in_queue("r1", "pay", T0)
    with pytest.raises(InvalidCallbackTransition):
        callbacks.answered("r1", T0)  # not ringing
    with pytest.raises(InvalidCallbackTransition):
        callbacks.no_answer("r1", T0)
    callbacks.ring("r1", T0)
    with pytest.raises(InvalidCallbackTransition):
        callbacks.ring("r1", T0)
    with pytest.raises(InvalidArgument):
        callbacks.promise_in_queue("r2", "pay", T0, window=0.0)
    with pytest.raises(InvalidArgument):
        callbacks.promise_scheduled("r2", "pay", T0 - 900.0, T0, T0)
    with pytest.raises(InvalidArgument):
        callbacks.reschedule("r1", T0 + 900.0, T0 + 900.0, T0)
    assert callbacks.get("r1").state is C.RINGING
    callbacks.answered("r1", T0)
    with pytest.raises(InvalidCallbackTransition, match="has ended"):
        callbacks.cancel("r1", T0)
    assert issubclass(UnknownCallback, EngineError)
    # A request may have a new callback once its last one ended.
    assert callbacks.promise_in_queue("r1", "pay", T0 + 1.0) == [
        Promised("r1", "pay", K.IN_QUEUE, T0 + 1.0, T0 + 1.0 + POLICY.in_queue_window)
    ]


def test_policy_is_checked() -> None:
    bads: list[dict[str, object]] = [
        {"ring_timeout": 0.0},
        {"attempts": 0},
        {"spacing": -1.0},
        {"in_queue_window": 0.0},
        {"give_up_after": -1.0},
        {"on_failure": "shrug"},
    ]
    for bad in bads:
        with pytest.raises(InvalidArgument):
            CallbackPolicy(**bad)  # type: ignore[arg-type]
    assert CallbackPolicy(on_failure="cancel").on_failure is OnFailure.CANCEL  # type: ignore[arg-type]


def test_transition_table_has_final_states_without_exits() -> None:
    assert {C.ANSWERED, C.MISSED, C.REQUEUED, C.CANCELLED, C.RESCHEDULED} == FINAL_CALLBACK_STATES
    assert set(TRANSITIONS) == set(C)


# -- Restore and queries -------------------------------------------------------------------


def test_restore_keeps_the_deadline_of_a_ring_in_progress(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("r1", "pay", T0)
    callbacks.ring("r1", T0)
    saved = callbacks.get("r1")
    fresh = Callbacks(POLICY)
    fresh.restore(saved)
    with pytest.raises(DuplicateCallback):
        fresh.restore(saved)
    assert fresh.next_deadline() == T0 + 30.0
    assert fresh.tick(T0 + 100.0)[:2] == [
        StopRinging("r1", "no_answer"),
        CallbackChanged("r1", C.RINGING, C.RETRYING, 1),
    ]
    with pytest.raises(InvalidArgument):
        fresh.restore(replace(saved, request_id="r2", state=C.ANSWERED))
    with pytest.raises(InvalidArgument):
        fresh.restore(replace(saved, request_id="r3", deadline=None))


def test_pending_lists_open_promises_by_window_end(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("a", "pay", T0, window=600.0)
    callbacks.promise_in_queue("b", "ship", T0, window=300.0)
    callbacks.promise_scheduled("c", "pay", T0 + 900.0, T0 + 1_800.0, T0)
    callbacks.promise_in_queue("d", "pay", T0, window=100.0)
    callbacks.ring("d", T0 + 1.0)
    assert [cb.request_id for cb in callbacks.pending()] == ["b", "a", "c"]
    assert [cb.request_id for cb in callbacks.pending("pay")] == ["a", "c"]
    assert [cb.request_id for cb in callbacks.live()] == ["d", "b", "a", "c"]


def test_the_ledger_counts_per_queue_and_kind() -> None:
    ledger = PromiseLedger()
    for queue, kind, outcome in [
        ("pay", K.IN_QUEUE, P.KEPT),
        ("pay", K.IN_QUEUE, P.KEPT),
        ("pay", K.SCHEDULED, P.BROKEN),
        ("ship", K.SCHEDULED, P.KEPT),
        ("ship", K.IN_QUEUE, P.VOID),
    ]:
        ledger.record(queue, kind, outcome)
    assert ledger.tally() == PromiseTally(kept=3, broken=1, void=1)
    assert ledger.tally().rate == 0.75
    assert ledger.by_queue() == {
        "pay": PromiseTally(kept=2, broken=1),
        "ship": PromiseTally(kept=1, void=1),
    }
    assert ledger.by_kind() == {
        K.IN_QUEUE: PromiseTally(kept=2, void=1),
        K.SCHEDULED: PromiseTally(kept=1, broken=1),
    }
    assert ledger.tally("pay", K.SCHEDULED) == PromiseTally(broken=1)
    assert PromiseTally(1, 2, 3) + PromiseTally(1, 1, 1) == PromiseTally(2, 3, 4)
    ledger.clear()
    assert ledger.tally() == PromiseTally()


def test_callbacks_share_a_ledger_given_to_them() -> None:
    ledger = PromiseLedger()
    one, two = Callbacks(POLICY, ledger=ledger), Callbacks(POLICY, ledger=ledger)
    one.promise_in_queue("r1", "pay", T0)
    two.promise_in_queue("r2", "pay", T0)
    one.ring("r1", T0)
    two.ring("r2", T0)
    assert ledger.tally("pay").kept == 2


def test_ended_callbacks_are_forgotten_beyond_keep_ended() -> None:
    callbacks = Callbacks(POLICY, keep_ended=1)
    for rid in ("a", "b"):
        callbacks.promise_in_queue(rid, "pay", T0)
        callbacks.cancel(rid, T0)
    assert callbacks.get("b").state is C.CANCELLED
    with pytest.raises(UnknownCallback):
        callbacks.get("a")


# -- Property: every callback ends, or is pending with a future deadline -------------------

QUEUES = ["pay", "ship"]
policy_st = st.builds(
    CallbackPolicy,
    ring_timeout=st.sampled_from([10.0, 30.0]),
    attempts=st.integers(1, 3),
    spacing=st.sampled_from([0.0, 20.0, 60.0]),
    on_failure=st.sampled_from(list(OnFailure)),
    in_queue_window=st.sampled_from([60.0, 300.0]),
    give_up_after=st.sampled_from([0.0, 120.0]),
)


class CallbackMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.callbacks = Callbacks(POLICY)
        self.states: dict[str, CallbackState] = {}
        self.settled: dict[str, PromiseOutcome | None] = {}
        self.counts = {outcome: 0 for outcome in P}
        self.next_id = 0

    def pick(self, index: int, states: set[CallbackState]) -> str | None:
        ids = sorted(r for r, s in self.states.items() if s in states)
        return ids[index % len(ids)] if ids else None

    def run(self, effects: list[CallbackEffect]) -> None:
        """Follow the effects (every move allowed, every promise settled once), then tick."""
        effects = effects + self.callbacks.tick(self.now)
        for effect in effects:
            if isinstance(effect, Promised):
                assert self.states.get(effect.request_id) in (None, *FINAL_CALLBACK_STATES)
                self.states[effect.request_id] = C.PROMISED
                self.settled[effect.request_id] = None
            elif isinstance(effect, CallbackChanged):
                assert self.states[effect.request_id] is effect.old
                assert effect.new in TRANSITIONS[effect.old]
                self.states[effect.request_id] = effect.new
            elif isinstance(effect, PromiseSettled):
                assert self.settled[effect.request_id] is None
                self.settled[effect.request_id] = effect.outcome
                self.counts[effect.outcome] += 1
                event(f"promise {effect.outcome}")
            elif isinstance(effect, Ring):
                assert self.states[effect.request_id] is C.RINGING
            elif isinstance(effect, CallbackMissed | Requeue):
                event(type(effect).__name__)
                assert self.states[effect.request_id] in (C.MISSED, C.REQUEUED)

    @rule(queue=st.sampled_from(QUEUES), window=st.none() | st.floats(1.0, 600.0), p=policy_st)
    def promise_in_queue(self, queue: str, window: float | None, p: CallbackPolicy) -> None:
        rid = f"r{self.next_id}"
        self.next_id += 1
        self.run(self.callbacks.promise_in_queue(rid, queue, self.now, window=window, policy=p))

    @rule(queue=st.sampled_from(QUEUES), lead=st.floats(0.0, 900.0), p=policy_st)
    def promise_scheduled(self, queue: str, lead: float, p: CallbackPolicy) -> None:
        rid = f"r{self.next_id}"
        self.next_id += 1
        start = self.now + lead
        effects = self.callbacks.promise_scheduled(
            rid, queue, start, start + 900.0, self.now, policy=p
        )
        self.run(effects)

    @rule(index=st.integers(0, 20))
    def ring(self, index: int) -> None:
        if (rid := self.pick(index, {C.PROMISED, C.RETRYING})) is not None:
            self.run(self.callbacks.ring(rid, self.now))

    @rule(index=st.integers(0, 20))
    def answer(self, index: int) -> None:
        if (rid := self.pick(index, {C.RINGING})) is not None:
            self.run(self.callbacks.answered(rid, self.now))

    @rule(index=st.integers(0, 20))
    def no_answer(self, index: int) -> None:
        if (rid := self.pick(index, {C.RINGING})) is not None:
            self.run(self.callbacks.no_answer(rid, self.now))

    @rule(index=st.integers(0, 20))
    def cancel(self, index: int) -> None:
        if (rid := self.pick(index, {C.PROMISED, C.RINGING, C.RETRYING})) is not None:
            self.run(self.callbacks.cancel(rid, self.now))

    @rule(index=st.integers(0, 20), lead=st.floats(0.0, 900.0))
    def reschedule(self, index: int, lead: float) -> None:
        if (rid := self.pick(index, {C.PROMISED, C.RINGING, C.RETRYING})) is not None:
            start = self.now + lead
            self.run(self.callbacks.reschedule(rid, start, start + 900.0, self.now))

    @rule(index=st.integers(0, 20))
    def wrong_call(self, index: int) -> None:
        """A command from the wrong state raises and changes nothing."""
        rid = self.pick(index, set(FINAL_CALLBACK_STATES) | {C.PROMISED, C.RETRYING})
        if rid is None:
            return
        before = (self.callbacks.get(rid), self.callbacks.next_deadline())
        with pytest.raises(EngineError):
            self.callbacks.answered(rid, self.now)
        assert (self.callbacks.get(rid), self.callbacks.next_deadline()) == before

    @rule(seconds=st.floats(0.0, 400.0))
    def advance(self, seconds: float) -> None:
        self.now += seconds
        self.run([])

    @invariant()
    def every_callback_ends_or_has_a_future_deadline(self) -> None:
        deadlines = []
        for rid, state in self.states.items():
            cb = self.callbacks.get(rid)
            assert cb.state is state
            assert cb.promise is self.settled[rid]
            if cb.is_final:
                assert cb.deadline is None
            else:
                assert cb.deadline is not None and cb.deadline > self.now
                deadlines.append(cb.deadline)
            if cb.first_rung_at is not None and self.settled[rid] in (P.KEPT, P.BROKEN):
                in_window = cb.window_start <= cb.first_rung_at < cb.window_end
                assert cb.kept == in_window or cb.first_rung_at >= cb.window_end
        assert self.callbacks.next_deadline() == (min(deadlines) if deadlines else None)

    @invariant()
    def the_ledger_matches_the_settled_promises(self) -> None:
        assert self.callbacks.ledger.tally() == PromiseTally(
            self.counts[P.KEPT], self.counts[P.BROKEN], self.counts[P.VOID]
        )


TestCallbackMachine = CallbackMachine.TestCase
TestCallbackMachine.settings = settings(
    max_examples=int(os.environ.get("TAPLINE_ENGINE_EXAMPLES", "200")),
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_hold_stops_a_ring_whose_specialist_left_without_counting_it(
    callbacks: Callbacks,
) -> None:
    callbacks.promise_in_queue("r1", "pay", T0, window=480.0)
    callbacks.ring("r1", T0 + 100)
    assert callbacks.hold("r1", T0 + 110) == [
        StopRinging("r1", "specialist_left"),
        CallbackChanged("r1", C.RINGING, C.PROMISED, 0),
    ]
    held = callbacks.get("r1")
    assert (held.state, held.attempt, held.promise) == (C.PROMISED, 0, P.KEPT)
    # Its old ring timeout no longer fires; the next specialist rings it as attempt 1.
    assert callbacks.tick(T0 + 200) == []
    ring = callbacks.ring("r1", T0 + 300)
    assert Ring("r1", 1, T0 + 300 + POLICY.ring_timeout) in ring
    assert not [e for e in ring if isinstance(e, PromiseSettled)]  # settled once, kept


def test_hold_while_retrying_keeps_the_missed_attempts(callbacks: Callbacks) -> None:
    callbacks.promise_in_queue("r1", "pay", T0, window=480.0)
    callbacks.ring("r1", T0)
    callbacks.tick(T0 + POLICY.ring_timeout)  # unanswered: retrying
    assert callbacks.get("r1").state is C.RETRYING
    assert callbacks.hold("r1", T0 + 40) == [CallbackChanged("r1", C.RETRYING, C.PROMISED, 1)]
    assert callbacks.tick(T0 + POLICY.ring_timeout + POLICY.spacing) == []  # no ring by itself
    assert callbacks.hold("r1", T0 + 100) == []  # nothing ringing: nothing to do
