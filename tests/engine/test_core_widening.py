"""Sticky routing, widening by deadlines, and requests nobody can take (core.py, dispatch.py)."""

from __future__ import annotations

from collections.abc import Mapping

from tapline.engine import (
    Effect,
    Engine,
    FakeClock,
    OfferMade,
    Presence,
    QueueChanged,
    QueueFallback,
    QueuePolicy,
    RequestState,
    Requirements,
    Routable,
    Unroutable,
)

S = RequestState
START = 1_000.0
T1, T2, STICKY = 60.0, 180.0, 90.0


def offers(effects: list[Effect]) -> list[tuple[str, str]]:
    return [(e.request_id, e.specialist_id) for e in effects if isinstance(e, OfferMade)]


def make(clock: FakeClock, **policy: object) -> Engine:
    engine = Engine(clock, offer_timeout=30.0, customer_grace=120.0)
    engine.add_queue("pay", "payments", policy=QueuePolicy(**policy))  # type: ignore[arg-type]
    engine.add_queue("general", "general")
    return engine


def person(
    engine: Engine,
    sid: str,
    skills: Mapping[str, int],
    authority: Mapping[str, float | bool | str] | None = None,
    presence: Presence = Presence.AVAILABLE,
    capacity: int = 1,
) -> list[Effect]:
    effects = engine.set_specialist(sid, skills=skills, capacity=capacity, authority=authority)
    if presence is not Presence.OFFLINE:
        effects = engine.set_presence(sid, presence)
    return effects


# -- sticky routing ----------------------------------------------------------------------


def test_a_sticky_request_waits_for_its_specialist(clock: FakeClock) -> None:
    engine = make(clock, sticky_seconds=STICKY)
    person(engine, "pref", {"payments": 3}, capacity=1)
    engine.submit("busy", "pay")
    engine.accept("busy", "pref")  # pref is full now
    person(engine, "other", {"payments": 3})
    engine.submit("r1", "pay", preferred_specialist="pref")
    assert engine.request("r1").state is S.WAITING  # other is free, but r1 is held
    assert engine.request("r1").sticky_until == START + STICKY
    effects = engine.resolve("busy", "pref")
    assert offers(effects) == [("r1", "pref")]


def test_after_the_sticky_wait_anyone_may_take_it(clock: FakeClock) -> None:
    engine = make(clock, sticky_seconds=STICKY)
    person(engine, "pref", {"payments": 3}, presence=Presence.AWAY)
    person(engine, "other", {"payments": 3})
    engine.submit("r1", "pay", preferred_specialist="pref")
    assert engine.next_deadline() == START + STICKY
    clock.advance(STICKY - 1)
    assert engine.tick() == []
    clock.advance(1)
    assert offers(engine.tick()) == [("r1", "other")]
    assert engine.request("r1").sticky_until is None


def test_stickiness_ends_when_the_specialist_goes_offline(clock: FakeClock) -> None:
    engine = make(clock, sticky_seconds=STICKY)
    person(engine, "pref", {"payments": 3}, presence=Presence.BUSY)
    person(engine, "other", {"payments": 3})
    engine.submit("r1", "pay", preferred_specialist="pref")
    assert engine.request("r1").state is S.WAITING
    assert offers(engine.set_presence("pref", Presence.OFFLINE)) == [("r1", "other")]


def test_no_stickiness_for_who_cannot_take_it(clock: FakeClock) -> None:
    engine = make(clock, sticky_seconds=STICKY)
    person(engine, "pref", {"payments": 1}, presence=Presence.BUSY)
    person(engine, "other", {"payments": 4})
    needs = Requirements.of({"payments": 3})
    effects = engine.submit("r1", "pay", requirements=needs, preferred_specialist="pref")
    assert offers(effects) == [("r1", "other")]
    effects = engine.submit("r2", "pay", preferred_specialist="nobody-known")
    assert engine.request("r2").state is S.WAITING  # other holds r1's offer; r2 not held


def test_stickiness_ends_when_the_specialist_declines(clock: FakeClock) -> None:
    engine = make(clock, sticky_seconds=STICKY)
    person(engine, "pref", {"payments": 3})
    person(engine, "other", {"payments": 3}, presence=Presence.BUSY)
    engine.submit("r1", "pay", preferred_specialist="pref")
    engine.decline("r1", "pref")
    assert offers(engine.set_presence("other", Presence.AVAILABLE)) == [("r1", "other")]


def test_a_queue_without_sticky_seconds_ignores_the_preference(clock: FakeClock) -> None:
    engine = make(clock)
    person(engine, "pref", {"payments": 3}, presence=Presence.BUSY)
    person(engine, "other", {"payments": 3})
    assert offers(engine.submit("r1", "pay", preferred_specialist="pref")) == [("r1", "other")]


def test_the_preferred_specialist_free_gets_it_at_once(clock: FakeClock) -> None:
    engine = make(clock, sticky_seconds=STICKY)
    person(engine, "other", {"payments": 3})
    person(engine, "pref", {"payments": 3})
    assert offers(engine.submit("r1", "pay", preferred_specialist="pref")) == [("r1", "pref")]


# -- widening ----------------------------------------------------------------------------


def test_after_t1_one_level_lower_will_do(clock: FakeClock) -> None:
    engine = make(clock, widen_after=T1, anyone_after=T2)
    person(engine, "two", {"payments": 2})
    person(engine, "one", {"payments": 1}, presence=Presence.AWAY)
    engine.submit("r1", "pay", requirements=Requirements.of({"payments": 3}))
    assert engine.request("r1").stage == 0
    assert engine.next_deadline() == START + T1
    clock.advance(T1)
    assert offers(engine.tick()) == [("r1", "two")]
    assert engine.request("r1").stage == 1
    assert engine.next_deadline() == START + T1 + 30  # the offer's; T2 is still armed
    engine.decline("r1", "two")
    engine.set_presence("one", Presence.AVAILABLE)
    assert engine.request("r1").state is S.WAITING  # level 1 < 3 - 1
    clock.set(START + T2)
    assert offers(engine.tick()) == [("r1", "one")]
    assert engine.request("r1").stage == 2


def test_after_t2_other_skills_are_dropped_and_authority_kept_unless_widen(
    clock: FakeClock,
) -> None:
    engine = make(clock, anyone_after=T2)
    person(engine, "plain", {"payments": 1})
    needs = Requirements.of(
        {"payments": 4, "french": 3},
        [
            "refund_limit >= 100",
            Requirements.from_dict(
                {"authority": [{"require": "can_override_fare == true", "widen": True}]}
            ).authority[0],
        ],
    )
    engine.submit("r1", "pay", requirements=needs)
    clock.advance(T2)
    engine.tick()
    assert engine.request("r1").state is S.WAITING  # refund_limit is still required
    effects = engine.set_specialist(
        "plain", skills={"payments": 1}, capacity=1, authority={"refund_limit": 100}
    )
    assert offers(effects) == [("r1", "plain")]


def test_stage_counts_from_the_enqueued_time(clock: FakeClock) -> None:
    engine = make(clock, widen_after=T1, anyone_after=T2)
    engine.restore_request("r1", "pay", S.WAITING, enqueued_at=START - T1 - 1)
    engine.restore_request("r2", "pay", S.WAITING, enqueued_at=START - T2)
    engine.restore_request("r3", "pay", S.WAITING, enqueued_at=START)
    assert [engine.request(r).stage for r in ("r1", "r2", "r3")] == [1, 2, 0]
    assert engine.next_deadline() == START + T1  # r3's T1; then r1's T2
    clock.set(START + T1)
    engine.tick()
    assert engine.next_deadline() == START - T1 - 1 + T2


def test_widening_keeps_the_place(clock: FakeClock) -> None:
    engine = make(clock, widen_after=T1)
    engine.submit("r1", "pay", requirements=Requirements.of({"payments": 3}))
    clock.advance(1)
    engine.submit("r2", "pay", requirements=Requirements.of({"payments": 2}))
    person(engine, "two", {"payments": 2})
    assert engine.request("r2").specialist_id == "two"  # r1 needs 3 for now
    engine.decline("r2", "two")  # two is free again; r1 still needs 3
    clock.advance(T1)
    assert offers(engine.tick()) == [("r1", "two")]
    assert [engine.position(r) for r in ("r1", "r2")] == [1, 2]


# -- nobody can take it ------------------------------------------------------------------


def test_unqualified_is_reported_once_and_routable_again_when_staff_change(
    clock: FakeClock,
) -> None:
    engine = make(clock, widen_after=T1)
    person(engine, "ana", {"payments": 5}, authority={"refund_limit": 100})
    needs = Requirements.of({"payments": 3}, ["refund_limit >= 900"])
    effects = engine.submit("r1", "pay", requirements=needs)
    detail = "payments >= 2, refund_limit >= 900 (chat)"  # at its widest stage
    assert effects[-1] == Unroutable("r1", "pay", "unqualified", detail)
    assert engine.request("r1").unroutable == "unqualified"
    assert engine.route() == []  # told once
    clock.advance(T1)
    assert engine.tick() == []
    effects = person(engine, "boss", {"payments": 2}, authority={"refund_limit": 1000})
    assert offers(effects) == [("r1", "boss")]
    assert engine.request("r1").unroutable is None


def test_routable_is_said_when_a_qualified_specialist_registers(clock: FakeClock) -> None:
    engine = make(clock)
    engine.submit("r1", "pay")
    effects = engine.set_specialist("ana", skills={"payments": 1}, capacity=1)
    assert effects[-1] == Routable("r1", "pay")


def test_everyone_able_declining_is_reported(clock: FakeClock) -> None:
    engine = make(clock)
    person(engine, "ana", {"payments": 3})
    person(engine, "bob", {"payments": 3})
    engine.submit("r1", "pay")
    first = engine.request("r1").specialist_id
    assert first is not None
    engine.decline("r1", first)
    second = engine.request("r1").specialist_id
    assert second is not None
    effects = engine.decline("r1", second)
    assert effects[-1] == Unroutable("r1", "pay", "declined", "payments >= 1 (chat)")


def test_a_change_of_reason_is_not_reported_again(clock: FakeClock) -> None:
    engine = make(clock)
    person(engine, "ana", {"payments": 3})
    engine.submit("r1", "pay")
    assert engine.decline("r1", "ana")[-1] == Unroutable(
        "r1", "pay", "declined", "payments >= 1 (chat)"
    )
    effects = engine.set_specialist("ana", skills={"general": 1}, capacity=1)
    assert not any(isinstance(e, Unroutable) for e in effects)
    assert engine.request("r1").unroutable == "unqualified"


def test_the_fallback_queue_takes_what_nobody_here_can(clock: FakeClock) -> None:
    engine = make(clock, fallback="general")
    person(engine, "gen", {"general": 1}, presence=Presence.BUSY)
    clock.advance(5)
    needs = Requirements.of({"payments": 3})
    effects = engine.submit("r1", "pay", requirements=needs, priority=2)
    assert effects[1:] == [
        QueueChanged("pay", 1),
        QueueFallback("r1", "pay", "general", "unqualified"),
        QueueChanged("pay", 0),
        QueueChanged("general", 1),
    ]
    view = engine.request("r1")
    assert (view.queue_id, view.requirements, view.enqueued_at) == (
        "general",
        Requirements(),
        START + 5,
    )
    assert view.priority == 2 and view.unroutable is None
    assert offers(engine.set_presence("gen", Presence.AVAILABLE)) == [("r1", "gen")]


def test_a_fallback_nobody_can_serve_either_reports(clock: FakeClock) -> None:
    engine = make(clock, fallback="general")
    engine.add_queue("general", "general", policy=QueuePolicy(fallback="pay"))  # a circle
    effects = engine.submit("r1", "pay")
    assert effects[-1] == Unroutable("r1", "general", "unqualified", "general >= 1 (chat)")
    assert engine.request("r1").queue_id == "general"


def test_adding_a_fallback_later_moves_what_was_reported(clock: FakeClock) -> None:
    engine = make(clock)
    person(engine, "gen", {"general": 1})
    engine.submit("r1", "pay")
    assert engine.request("r1").unroutable == "unqualified"
    effects = engine.add_queue("pay", "payments", policy=QueuePolicy(fallback="general"))
    assert QueueFallback("r1", "pay", "general", "unqualified") in effects
    assert offers(effects) == [("r1", "gen")]


def test_a_specialist_losing_a_skill_can_make_requests_unroutable(clock: FakeClock) -> None:
    engine = make(clock)
    person(engine, "ana", {"payments": 3}, presence=Presence.AWAY)
    engine.submit("r1", "pay")
    engine.submit("r2", "pay")
    effects = engine.set_specialist("ana", skills={"general": 1}, capacity=1)
    assert [e for e in effects if isinstance(e, Unroutable)] == [
        Unroutable("r1", "pay", "unqualified", "payments >= 1 (chat)"),
        Unroutable("r2", "pay", "unqualified", "payments >= 1 (chat)"),
    ]


def test_an_offline_specialist_still_counts_as_able(clock: FakeClock) -> None:
    engine = make(clock)
    person(engine, "ana", {"payments": 3}, presence=Presence.OFFLINE)
    effects = engine.submit("r1", "pay")
    assert not any(isinstance(e, Unroutable) for e in effects)


def test_the_line_and_what_changed_in_it_since_a_version(clock: FakeClock) -> None:
    """Readers of a line (the wait estimates) learn in O(changes) which part moved."""
    engine = make(clock, widen_after=T1)
    clock.set(START)
    for i in range(3):
        engine.submit(f"r{i}", "pay")
        clock.advance(1.0)
    assert [rid for rid, _ in engine.line("pay")] == ["r0", "r1", "r2"]
    assert engine.line("pay", 1, 2) == [("r1", START + 1.0)]
    seen = engine.line_version("pay")
    assert engine.line_changed_from("pay", seen) is None
    engine.submit("r3", "pay")
    assert engine.line_changed_from("pay", seen) == 3  # joined at the tail
    seen = engine.line_version("pay")
    clock.set(START + T1 + 1.5)  # r0 and r1 reach their next stage: a wider pool
    engine.tick()
    assert engine.line_changed_from("pay", seen) == 0
    seen = engine.line_version("pay")
    engine.cancel("r2")
    assert engine.line_changed_from("pay", seen) == 2
