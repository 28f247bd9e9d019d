"""Property tests: random command sequences against the engine, checked after every step.

A model built only from the effects the engine returns must agree with what the engine
says of itself; and the routing rules (capacity, one offer each, FCFS, no missed match,
no re-offer to who declined or missed) must hold after every command.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tapline.engine import (
    DeadEndCause,
    Effect,
    Engine,
    EngineError,
    FakeClock,
    OfferMade,
    OfferWithdrawn,
    Presence,
    PresenceChanged,
    QueueChanged,
    RequestState,
    SpecialistState,
    StateChanged,
    is_final,
    transition,
)

S = RequestState
QUEUES = {"pay": "payments", "ship": "shipping"}
SPECIALISTS = ["s0", "s1", "s2", "s3"]
TIMEOUT, GRACE = 30.0, 60.0
IN_LINE = {S.WAITING, S.OFFERED}

skills_st = st.dictionaries(
    st.sampled_from(sorted(QUEUES.values())), st.integers(1, 5), min_size=1, max_size=2
)
# Mostly available, so that offers, full specialists and contention happen often.
presence_st = st.sampled_from([Presence.AVAILABLE] * 3 + list(Presence)[1:])


@dataclass
class Tracked:
    """What the test knows of one request, from its own calls and the engine's effects."""

    queue_id: str
    seq: int
    enqueued_at: float
    state: RequestState = S.NEW
    front: bool = False
    excluded: set[str] = field(default_factory=set)
    grace_at: float | None = None

    @property
    def order(self) -> tuple[int, float, int]:
        return (0 if self.front else 1, self.enqueued_at, self.seq)


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(0.0)
        self.engine = Engine(self.clock)
        self.requests: dict[str, Tracked] = {}

    @initialize(
        away=st.booleans(),
        staff=st.lists(
            st.tuples(skills_st, st.integers(1, 3), presence_st),
            min_size=len(SPECIALISTS),
            max_size=len(SPECIALISTS),
        ),
    )
    def setup(self, away: bool, staff: list[tuple[dict[str, int], int, Presence]]) -> None:
        self.engine = Engine(
            self.clock, offer_timeout=TIMEOUT, customer_grace=GRACE, away_on_missed_offer=away
        )
        for queue_id, skill in QUEUES.items():
            self.engine.add_queue(queue_id, skill)
        for sid, (skills, capacity, _) in zip(SPECIALISTS, staff, strict=True):
            self.engine.set_specialist(sid, skills=skills, capacity=capacity)
        for sid, (_, _, presence) in zip(SPECIALISTS, staff, strict=True):
            self.run(partial(self.engine.set_presence, sid, presence))

    # -- helpers ---------------------------------------------------------------------------

    def pick(self, index: int, states: set[RequestState]) -> str | None:
        ids = sorted(r for r, t in self.requests.items() if t.state in states)
        return ids[index % len(ids)] if ids else None

    def specialists(self) -> dict[str, SpecialistState]:
        return {sid: self.engine.specialist(sid) for sid in SPECIALISTS}

    def snapshot(self) -> object:
        views = {r: self.engine.request(r) for r in self.requests}
        return views, self.specialists(), self.engine.queues(), self.engine.next_deadline()

    def run(self, command: object) -> list[Effect]:
        """Run a command (a callable returning effects) and check its effects."""
        before_specs = self.specialists()
        before_queues = self.engine.queues()
        effects: list[Effect] = command()  # type: ignore[operator]
        self.absorb(effects)
        self.check_offers_fcfs(effects)
        self.check_reported(effects, before_specs, before_queues)
        return effects

    def absorb(self, effects: list[Effect]) -> None:
        """Follow the effects: states move by allowed transitions; exclusions and the front."""
        for effect in effects:
            if isinstance(effect, StateChanged):
                tracked = self.requests[effect.request_id]
                assert tracked.state is effect.old
                assert transition(effect.old, effect.new) is effect.new
                tracked.state = effect.new
                if (effect.old, effect.new) == (S.CONNECTED, S.WAITING):
                    tracked.front = True
                if is_final(effect.new):
                    tracked.grace_at = None
            elif isinstance(effect, OfferWithdrawn) and effect.reason in ("declined", "expired"):
                self.requests[effect.request_id].excluded.add(effect.specialist_id)
        for request_id, tracked in self.requests.items():
            assert self.engine.request(request_id).state is tracked.state

    def check_offers_fcfs(self, effects: list[Effect]) -> None:
        """No request still waiting was ahead of an offered one and could have had its offer."""
        for effect in effects:
            if not isinstance(effect, OfferMade):
                continue
            offered = self.requests[effect.request_id]
            for other in self.requests.values():
                if (
                    other.queue_id == offered.queue_id
                    and other.state is S.WAITING
                    and other.order < offered.order
                ):
                    assert effect.specialist_id in other.excluded

    def check_reported(
        self,
        effects: list[Effect],
        before_specs: dict[str, SpecialistState],
        before_queues: dict[str, int],
    ) -> None:
        """Every change of presence, load or waiting count is reported, last value last."""
        last_presence = {e.specialist_id: e for e in effects if isinstance(e, PresenceChanged)}
        for sid, spec in self.specialists().items():
            old = before_specs[sid]
            load = (spec.presence, len(spec.active), spec.capacity)
            if load != (old.presence, len(old.active), old.capacity):
                assert sid in last_presence
            if sid in last_presence:
                e = last_presence[sid]
                assert (e.presence, e.active, e.capacity) == load
            # Capacity is never exceeded by anything the engine did.
            if len(spec.active) > len(old.active):
                assert len(spec.active) <= spec.capacity
        last_queue = {e.queue_id: e.waiting for e in effects if isinstance(e, QueueChanged)}
        queues = self.engine.queues()
        for queue_id, waiting in queues.items():
            if waiting != before_queues[queue_id]:
                assert last_queue[queue_id] == waiting
            if queue_id in last_queue:
                assert last_queue[queue_id] == waiting

    # -- rules -----------------------------------------------------------------------------

    @rule(queue_ids=st.lists(st.sampled_from(sorted(QUEUES)), min_size=1, max_size=4))
    def submit(self, queue_ids: list[str]) -> None:
        for queue_id in queue_ids:
            request_id = f"r{len(self.requests)}"
            self.requests[request_id] = Tracked(queue_id, len(self.requests), self.clock.now())
            self.run(partial(self.engine.submit, request_id, queue_id))

    @rule(index=st.integers(0, 99))
    def accept(self, index: int) -> None:
        if (rid := self.pick(index, {S.OFFERED})) is not None:
            sid = self.engine.request(rid).specialist_id
            assert sid is not None
            self.run(lambda: self.engine.accept(rid, sid))

    @rule(index=st.integers(0, 99))
    def decline(self, index: int) -> None:
        if (rid := self.pick(index, {S.OFFERED})) is not None:
            sid = self.engine.request(rid).specialist_id
            assert sid is not None
            self.run(lambda: self.engine.decline(rid, sid))

    @rule(index=st.integers(0, 99), unresolved=st.booleans())
    def resolve(self, index: int, unresolved: bool) -> None:
        if (rid := self.pick(index, {S.CONNECTED})) is not None:
            sid = self.engine.request(rid).specialist_id
            assert sid is not None
            self.run(lambda: self.engine.resolve(rid, sid, unresolved=unresolved))

    @rule(index=st.integers(0, 99))
    def cancel(self, index: int) -> None:
        if (rid := self.pick(index, IN_LINE | {S.CONNECTED})) is not None:
            self.run(lambda: self.engine.cancel(rid))

    @rule(index=st.integers(0, 99), cause=st.sampled_from(DeadEndCause))
    def end_dead(self, index: int, cause: DeadEndCause) -> None:
        if (rid := self.pick(index, IN_LINE | {S.CONNECTED})) is not None:
            self.run(lambda: self.engine.end_dead(rid, cause))

    @rule(sid=st.sampled_from(SPECIALISTS), presence=presence_st)
    def set_presence(self, sid: str, presence: Presence) -> None:
        self.run(lambda: self.engine.set_presence(sid, presence))

    @rule(sid=st.sampled_from(SPECIALISTS), skills=skills_st, capacity=st.integers(0, 3))
    def set_specialist(self, sid: str, skills: dict[str, int], capacity: int) -> None:
        self.run(lambda: self.engine.set_specialist(sid, skills=skills, capacity=capacity))

    @rule(sid=st.sampled_from(SPECIALISTS))
    def specialist_dropped(self, sid: str) -> None:
        self.run(lambda: self.engine.specialist_dropped(sid))

    @rule(index=st.integers(0, 99), back=st.booleans())
    def customer_away(self, index: int, back: bool) -> None:
        if (rid := self.pick(index, IN_LINE | {S.CONNECTED})) is None:
            return
        tracked = self.requests[rid]
        if back:
            self.run(lambda: self.engine.customer_returned(rid))
            tracked.grace_at = None
        else:
            self.run(lambda: self.engine.customer_left(rid))
            if tracked.grace_at is None:
                tracked.grace_at = self.clock.now() + GRACE

    @rule(seconds=st.sampled_from([0.0, 1.0, 10.0, TIMEOUT, 45.0, GRACE, 200.0]))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        now = self.clock.now()
        due = {
            rid: t.state
            for rid, t in self.requests.items()
            if t.grace_at is not None and t.grace_at <= now
        }
        self.run(self.engine.tick)
        for rid, state_before in due.items():
            view = self.engine.request(rid)
            assert view.state is S.DEAD_END
            if state_before is S.CONNECTED:
                assert view.cause is DeadEndCause.LOST_ON_DISCONNECT
            else:
                assert view.cause is DeadEndCause.ABANDONED
        deadline = self.engine.next_deadline()
        assert deadline is None or deadline > now

    @rule(
        command=st.sampled_from(["accept", "decline", "resolve", "cancel", "left"]),
        request_index=st.integers(0, 99),
        sid=st.sampled_from([*SPECIALISTS, "nobody"]),
    )
    def poke(self, command: str, request_index: int, sid: str) -> None:
        """Any command on any request by anyone: it works, or it raises and changes nothing."""
        ids = [*sorted(self.requests), "unknown"]
        rid = ids[request_index % len(ids)]
        calls = {
            "accept": lambda: self.engine.accept(rid, sid),
            "decline": lambda: self.engine.decline(rid, sid),
            "resolve": lambda: self.engine.resolve(rid, sid),
            "cancel": lambda: self.engine.cancel(rid),
            "left": lambda: self.engine.customer_left(rid),
        }
        before = self.snapshot()
        try:
            self.run(calls[command])
        except EngineError:
            assert self.snapshot() == before
            return
        if command == "left" and self.requests[rid].grace_at is None:
            self.requests[rid].grace_at = self.clock.now() + GRACE

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def every_live_request_is_where_its_state_says(self) -> None:
        specs = self.specialists()
        offers_held: dict[str, list[str]] = defaultdict(list)
        for rid, tracked in self.requests.items():
            view = self.engine.request(rid)
            assert view.state is not S.NEW
            if view.state in IN_LINE:
                assert self.engine.position(rid) is not None
            else:
                assert self.engine.position(rid) is None
            if view.state is S.OFFERED:
                assert view.specialist_id is not None
                assert view.offer_expires_at is not None
                assert view.offer_expires_at > self.clock.now()
                assert view.specialist_id not in tracked.excluded
                offers_held[view.specialist_id].append(rid)
                assert specs[view.specialist_id].offered == rid
            if view.state is S.CONNECTED:
                assert view.specialist_id is not None
                assert rid in specs[view.specialist_id].active
        for sid, spec in specs.items():
            assert len(offers_held[sid]) <= 1
            if spec.offered is not None:
                assert offers_held[sid] == [spec.offered]
                assert spec.presence is Presence.AVAILABLE
            for rid in spec.active:
                view = self.engine.request(rid)
                assert (view.state, view.specialist_id) == (S.CONNECTED, sid)

    @invariant()
    def queues_count_and_order_their_waiting_requests(self) -> None:
        for queue_id, waiting in self.engine.queues().items():
            in_line = [
                (t.order, rid)
                for rid, t in self.requests.items()
                if t.queue_id == queue_id and t.state in IN_LINE
            ]
            assert waiting == len(in_line)
            by_position = sorted((self.engine.position(rid) or 0, rid) for _, rid in in_line)
            assert [rid for _, rid in by_position] == [rid for _, rid in sorted(in_line)]
            assert [p for p, _ in by_position] == list(range(1, waiting + 1))

    @invariant()
    def no_match_is_left_unmade(self) -> None:
        for spec in self.specialists().values():
            if not (
                spec.presence is Presence.AVAILABLE and spec.offered is None and spec.has_capacity()
            ):
                continue
            for tracked in self.requests.values():
                if tracked.state is S.WAITING and spec.specialist_id not in tracked.excluded:
                    assert spec.skills.get(QUEUES[tracked.queue_id], 0) < 1


TestEngineMachine = EngineMachine.TestCase
TestEngineMachine.settings = settings(
    # TAPLINE_ENGINE_EXAMPLES=2000 for a thorough run; the default keeps the suite quick.
    max_examples=int(os.environ.get("TAPLINE_ENGINE_EXAMPLES", "200")),
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
