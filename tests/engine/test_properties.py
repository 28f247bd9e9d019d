"""Property tests: random command sequences against the engine, checked after every step.

A model built only from the effects the engine returns must agree with what the engine says
of itself; and the routing rules must hold after every command. Eligibility is recomputed
here from the rules as written (skill levels, authority, channel room, widening stage, the
sticky wait, exclusions), not taken from the engine:

- no specialist is pushed over capacity on any channel, and holds at most one offer;
- every request is final, or waiting/offered/connected and tracked where its state says,
  waiting ones with their place (order by rank, priority, enqueued time, submit order);
- an offer never skips a better-placed waiting request its specialist could have taken
  (FCFS within a priority, except what stickiness and widening say);
- no eligible match is left unmade;
- a request nobody registered can ever take is never waiting silently: it has moved to its
  queue's fallback or is reported Unroutable, and is reported exactly then;
- grace expiries end with the right cause; a command that raises changes nothing.
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
    Channel,
    Constraint,
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
    QueueFallback,
    QueuePolicy,
    RequestState,
    Requirements,
    Routable,
    SpecialistState,
    StateChanged,
    Unroutable,
    is_final,
    transition,
)

S = RequestState
QUEUES = {"pay": "payments", "ship": "shipping", "gen": "general"}
SPECIALISTS = ["s0", "s1", "s2", "s3"]
TIMEOUT, GRACE = 30.0, 60.0
IN_LINE = {S.WAITING, S.OFFERED}
CONSTRAINTS = [
    Constraint.parse("refund_limit >= 100"),
    Constraint.parse("refund_limit >= 400"),
    Constraint.parse("can_override_fare == true", widen=True),
]

skills_st = st.dictionaries(
    st.sampled_from(sorted(QUEUES.values())), st.integers(1, 5), min_size=1, max_size=3
)
authority_st = st.fixed_dictionaries(
    {},
    optional={
        "refund_limit": st.sampled_from([0, 100, 500]),
        "can_override_fare": st.booleans(),
    },
)
capacity_st = st.one_of(
    st.integers(0, 3),
    st.fixed_dictionaries(
        {"chat": st.integers(0, 3)},
        optional={"voice": st.integers(0, 1), "video": st.integers(0, 1)},
    ),
)
requirements_st = st.builds(
    lambda skills, authority: Requirements.of(skills, authority),
    st.dictionaries(st.sampled_from(sorted(QUEUES.values())), st.integers(1, 5), max_size=2),
    st.lists(st.sampled_from(CONSTRAINTS), max_size=2, unique=True),
)
channel_st = st.sampled_from([Channel.CHAT] * 3 + [Channel.VOICE, Channel.VIDEO])
policy_st = st.builds(
    QueuePolicy,
    priority=st.integers(0, 2),
    sticky_seconds=st.sampled_from([0.0, 40.0]),
    widen_after=st.sampled_from([None, 20.0]),
    anyone_after=st.sampled_from([None, 50.0]),
    fallback=st.sampled_from([None, "gen"]),
)
# Mostly available, so that offers, full specialists and contention happen often.
presence_st = st.sampled_from([Presence.AVAILABLE] * 3 + list(Presence)[1:])
request_st = st.tuples(
    st.sampled_from(sorted(QUEUES)),
    requirements_st,
    channel_st,
    st.integers(0, 2),
    st.sampled_from([None, *SPECIALISTS]),
    st.booleans(),
)


@dataclass
class Tracked:
    """What the test knows of one request, from its own calls and the engine's effects."""

    queue_id: str
    seq: int
    enqueued_at: float
    requirements: Requirements
    channel: Channel
    boost: int
    preferred: str | None
    callback: bool
    state: RequestState = S.NEW
    front: bool = False
    excluded: set[str] = field(default_factory=set)
    grace_at: float | None = None
    unroutable: bool = False


def on(spec: SpecialistState, channel: Channel) -> int:
    """How many of the specialist's active requests are on `channel`."""
    if channel is Channel.CHAT:
        return len(spec.active) - len(spec.calls)
    return sum(1 for c in spec.calls.values() if c is channel)


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(0.0)
        self.engine = Engine(self.clock)
        self.requests: dict[str, Tracked] = {}
        self.policies: dict[str, QueuePolicy] = {}

    @initialize(
        away=st.booleans(),
        policies=st.tuples(policy_st, policy_st),
        staff=st.lists(
            st.tuples(skills_st, capacity_st, authority_st, presence_st),
            min_size=len(SPECIALISTS),
            max_size=len(SPECIALISTS),
        ),
    )
    def setup(
        self,
        away: bool,
        policies: tuple[QueuePolicy, QueuePolicy],
        staff: list[tuple[dict[str, int], object, dict[str, object], Presence]],
    ) -> None:
        self.engine = Engine(
            self.clock, offer_timeout=TIMEOUT, customer_grace=GRACE, away_on_missed_offer=away
        )
        self.policies = {"pay": policies[0], "ship": policies[1], "gen": QueuePolicy()}
        for queue_id, skill in QUEUES.items():
            self.engine.add_queue(queue_id, skill, policy=self.policies[queue_id])
        for sid, (skills, capacity, authority, _) in zip(SPECIALISTS, staff, strict=True):
            self.engine.set_specialist(
                sid,
                skills=skills,
                capacity=capacity,  # type: ignore[arg-type]
                authority=authority,  # type: ignore[arg-type]
            )
        for sid, (_, _, _, presence) in zip(SPECIALISTS, staff, strict=True):
            self.run(partial(self.engine.set_presence, sid, presence))

    # -- the rules as written ----------------------------------------------------------------

    def place(self, t: Tracked) -> tuple[int, int, float, int]:
        priority = self.policies[t.queue_id].priority + t.boost
        return (0 if t.front else 1, -priority, t.enqueued_at, t.seq)

    def needs(self, t: Tracked, stage: int) -> tuple[dict[str, int], list[Constraint]]:
        skill = QUEUES[t.queue_id]
        if stage == 2:
            return {skill: 1}, [c for c in t.requirements.authority if not c.widen]
        levels = dict(t.requirements.skills)
        levels[skill] = max(levels.get(skill, 1), 1)
        if stage == 1:
            levels = {s: max(1, level - 1) for s, level in levels.items()}
        return levels, list(t.requirements.authority)

    def fits(self, spec: SpecialistState, t: Tracked, stage: int) -> bool:
        levels, authority = self.needs(t, stage)
        return (
            all(spec.skills.get(s, 0) >= level for s, level in levels.items())
            and all(c.allows(spec.authority.get(c.attribute)) for c in authority)
            and spec.capacity_for(t.channel) > 0
        )

    def stage(self, t: Tracked) -> int:
        return self.policies[t.queue_id].stage_at(self.clock.now() - t.enqueued_at)

    def held_for(self, t: Tracked, specs: dict[str, SpecialistState]) -> str | None:
        """The preferred specialist while the sticky wait holds the request for them."""
        sticky = self.policies[t.queue_id].sticky_seconds
        if t.preferred is None or self.clock.now() >= t.enqueued_at + sticky:
            return None
        pref = specs[t.preferred]
        if (
            pref.presence is Presence.OFFLINE
            or t.preferred in t.excluded
            or not self.fits(pref, t, self.stage(t))
        ):
            return None
        return t.preferred

    def could_take(
        self, spec: SpecialistState, t: Tracked, specs: dict[str, SpecialistState]
    ) -> bool:
        """Whether `spec`, if they held no offer, may be offered `t` now."""
        held = self.held_for(t, specs)
        return (
            spec.presence is Presence.AVAILABLE
            and spec.has_room(t.channel)
            and spec.specialist_id not in t.excluded
            and self.fits(spec, t, self.stage(t))
            and held in (None, spec.specialist_id)
        )

    def unroutable(self, t: Tracked, specs: dict[str, SpecialistState]) -> bool:
        final = self.policies[t.queue_id].final_stage
        return not any(
            self.fits(spec, t, final) and sid not in t.excluded for sid, spec in specs.items()
        )

    # -- helpers -----------------------------------------------------------------------------

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
        """Follow the effects: states, exclusions, the front, moves and reports."""
        for effect in effects:
            if isinstance(effect, StateChanged):
                tracked = self.requests[effect.request_id]
                assert tracked.state is effect.old
                assert transition(effect.old, effect.new) is effect.new
                tracked.state = effect.new
                if is_final(effect.new):
                    tracked.grace_at = None
            elif isinstance(effect, OfferWithdrawn) and effect.reason in ("declined", "expired"):
                self.requests[effect.request_id].excluded.add(effect.specialist_id)
            elif isinstance(effect, QueueFallback):
                tracked = self.requests[effect.request_id]
                assert (tracked.queue_id, self.policies[tracked.queue_id].fallback) == (
                    effect.from_queue,
                    effect.to_queue,
                )
                tracked.queue_id = effect.to_queue
                tracked.requirements = Requirements()
                tracked.unroutable = False
            elif isinstance(effect, Unroutable | Routable):
                tracked = self.requests[effect.request_id]
                assert tracked.unroutable is not isinstance(effect, Unroutable)
                assert effect.queue_id == tracked.queue_id
                tracked.unroutable = isinstance(effect, Unroutable)
        for request_id, tracked in self.requests.items():
            view = self.engine.request(request_id)
            assert (view.state, view.queue_id) == (tracked.state, tracked.queue_id)

    def check_offers_fcfs(self, effects: list[Effect]) -> None:
        """No waiting request placed ahead of an offered one could have had its offer."""
        specs = self.specialists()
        for effect in effects:
            if not isinstance(effect, OfferMade):
                continue
            offered = self.requests[effect.request_id]
            spec = specs[effect.specialist_id]
            assert self.could_take(spec, offered, specs)
            for other in self.requests.values():
                if other.state is S.WAITING and self.place(other) < self.place(offered):
                    assert not self.could_take(spec, other, specs)

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
            # Capacity is never exceeded on any channel by anything the engine did.
            for channel in Channel:
                now, was = on(spec, channel), on(old, channel)
                if now > was:
                    assert now <= spec.capacity_for(channel)
            if len(spec.calls) > len(old.calls):
                assert len(spec.calls) == 1  # one call at a time, of either kind
        last_queue = {e.queue_id: e.waiting for e in effects if isinstance(e, QueueChanged)}
        queues = self.engine.queues()
        for queue_id, waiting in queues.items():
            if waiting != before_queues[queue_id]:
                assert last_queue[queue_id] == waiting
            if queue_id in last_queue:
                assert last_queue[queue_id] == waiting

    # -- rules -------------------------------------------------------------------------------

    @rule(batch=st.lists(request_st, min_size=1, max_size=4))
    def submit(
        self,
        batch: list[tuple[str, Requirements, Channel, int, str | None, bool]],
    ) -> None:
        for queue_id, requirements, channel, boost, preferred, callback in batch:
            request_id = f"r{len(self.requests)}"
            self.requests[request_id] = Tracked(
                queue_id,
                len(self.requests),
                self.clock.now(),
                requirements,
                channel,
                boost,
                preferred,
                callback,
            )
            self.run(
                partial(
                    self.engine.submit,
                    request_id,
                    queue_id,
                    requirements=requirements,
                    priority=boost,
                    channel=channel,
                    preferred_specialist=preferred,
                    callback=callback,
                )
            )

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

    @rule(index=st.integers(0, 99), front=st.booleans())
    def requeue(self, index: int, front: bool) -> None:
        if (rid := self.pick(index, {S.CONNECTED})) is not None:
            tracked = self.requests[rid]
            tracked.front = tracked.front or front
            if tracked.callback:
                tracked.grace_at = None
            self.run(lambda: self.engine.requeue(rid, front=front))

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

    @rule(
        sid=st.sampled_from(SPECIALISTS),
        skills=skills_st,
        capacity=capacity_st,
        authority=st.one_of(st.none(), authority_st),
    )
    def set_specialist(
        self, sid: str, skills: dict[str, int], capacity: object, authority: object
    ) -> None:
        self.run(
            lambda: self.engine.set_specialist(
                sid,
                skills=skills,
                capacity=capacity,  # type: ignore[arg-type]
                authority=authority,  # type: ignore[arg-type]
            )
        )

    @rule(sid=st.sampled_from(SPECIALISTS))
    def specialist_dropped(self, sid: str) -> None:
        for rid in self.engine.specialist(sid).active:
            self.requests[rid].front = True
        self.run(lambda: self.engine.specialist_dropped(sid))

    @rule(index=st.integers(0, 99), back=st.booleans())
    def customer_away(self, index: int, back: bool) -> None:
        if (rid := self.pick(index, IN_LINE | {S.CONNECTED})) is None:
            return
        tracked = self.requests[rid]
        if back:
            self.run(lambda: self.engine.customer_returned(rid))
            tracked.grace_at = None
            return
        self.run(lambda: self.engine.customer_left(rid))
        no_grace = tracked.callback and tracked.state in IN_LINE
        if tracked.grace_at is None and not no_grace:
            tracked.grace_at = self.clock.now() + GRACE

    @rule(seconds=st.sampled_from([0.0, 1.0, 10.0, 20.0, TIMEOUT, 40.0, 50.0, GRACE, 200.0]))
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
        command=st.sampled_from(["accept", "decline", "resolve", "cancel", "left", "requeue"]),
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
            "requeue": lambda: self.engine.requeue(rid, front=False),
        }
        before = self.snapshot()
        tracked = self.requests.get(rid)
        state = tracked.state if tracked is not None else None
        try:
            self.run(calls[command])
        except EngineError:
            assert self.snapshot() == before
            return
        assert tracked is not None
        waits_for_a_ring = tracked.callback and state in IN_LINE
        if command == "left" and tracked.grace_at is None and not waits_for_a_ring:
            tracked.grace_at = self.clock.now() + GRACE
        if command == "requeue" and tracked.callback:
            tracked.grace_at = None

    # -- invariants --------------------------------------------------------------------------

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
                assert (rid in spec.calls) is (view.channel is not Channel.CHAT)

    @invariant()
    def queues_count_and_order_their_waiting_requests(self) -> None:
        for queue_id, waiting in self.engine.queues().items():
            in_line = [
                (self.place(t), rid)
                for rid, t in self.requests.items()
                if t.queue_id == queue_id and t.state in IN_LINE
            ]
            assert waiting == len(in_line)
            by_position = sorted((self.engine.position(rid) or 0, rid) for _, rid in in_line)
            assert [rid for _, rid in by_position] == [rid for _, rid in sorted(in_line)]
            assert [p for p, _ in by_position] == list(range(1, waiting + 1))

    @invariant()
    def no_match_is_left_unmade(self) -> None:
        specs = self.specialists()
        for spec in specs.values():
            if spec.offered is not None:
                continue
            for tracked in self.requests.values():
                if tracked.state is S.WAITING:
                    assert not self.could_take(spec, tracked, specs)

    @invariant()
    def nobody_waits_silently(self) -> None:
        specs = self.specialists()
        for rid, tracked in self.requests.items():
            if tracked.state is not S.WAITING:
                continue
            stuck = self.unroutable(tracked, specs)
            assert tracked.unroutable is stuck
            assert (self.engine.request(rid).unroutable is not None) is stuck
            if stuck:
                assert self.policies[tracked.queue_id].fallback is None

    @invariant()
    def stages_follow_the_time_waited(self) -> None:
        for rid, tracked in self.requests.items():
            if tracked.state in IN_LINE:
                assert self.engine.request(rid).stage == self.stage(tracked)


TestEngineMachine = EngineMachine.TestCase
TestEngineMachine.settings = settings(
    # TAPLINE_ENGINE_EXAMPLES=2000 for a thorough run; the default keeps the suite quick.
    max_examples=int(os.environ.get("TAPLINE_ENGINE_EXAMPLES", "200")),
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
