"""Routing by requirements, authority, priority, channel and load (core.py, dispatch.py)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tapline.engine import (
    Channel,
    Effect,
    Engine,
    FakeClock,
    InvalidArgument,
    OfferMade,
    Presence,
    PresenceChanged,
    QueuePolicy,
    RequestState,
    Requirements,
    StateChanged,
)
from tapline.engine.expressions import Ref

S = RequestState
START = 1_000.0


def offers(effects: list[Effect]) -> list[tuple[str, str]]:
    return [(e.request_id, e.specialist_id) for e in effects if isinstance(e, OfferMade)]


def person(
    engine: Engine,
    sid: str,
    skills: Mapping[str, int] | None = None,
    capacity: int | Mapping[str, int] = 1,
    authority: Mapping[str, float | bool | str] | None = None,
    available: bool = True,
) -> list[Effect]:
    effects = engine.set_specialist(
        sid, skills=skills or {"payments": 3}, capacity=capacity, authority=authority
    )
    if available:
        effects = engine.set_presence(sid, Presence.AVAILABLE)
    return effects


def needs(skills: Mapping[str, int] | None = None, *authority: str) -> Requirements:
    return Requirements.of(skills, authority)


# -- skill levels and authority ----------------------------------------------------------


def test_a_minimum_level_leaves_out_who_is_below_it(engine: Engine) -> None:
    person(engine, "junior", {"payments": 2})
    engine.submit("r1", "pay", requirements=needs({"payments": 3}))
    assert engine.request("r1").state is S.WAITING
    assert offers(person(engine, "senior", {"payments": 3})) == [("r1", "senior")]


def test_requirements_may_name_other_skills(engine: Engine) -> None:
    person(engine, "ana", {"payments": 5})
    engine.submit("r1", "pay", requirements=needs({"french": 2}))
    assert engine.request("r1").state is S.WAITING
    assert offers(person(engine, "zoe", {"payments": 1, "french": 2})) == [("r1", "zoe")]


@pytest.mark.parametrize(
    ("constraint", "ok", "not_ok"),
    [
        ("refund_limit >= 150", {"refund_limit": 150}, {"refund_limit": 149.5}),
        ("refund_limit > 150", {"refund_limit": 151}, {"refund_limit": 150}),
        ("refund_limit <= 10", {"refund_limit": 10}, {"refund_limit": 11}),
        ("refund_limit < 10", {"refund_limit": 9}, {"refund_limit": 10}),
        ("can_override_fare == true", {"can_override_fare": True}, {"can_override_fare": False}),
        ('region != "eu"', {"region": "us"}, {"region": "eu"}),
        ("can_override_fare == true", {"can_override_fare": True}, {}),  # absent: fails
        ("refund_limit >= 1", {"refund_limit": 5}, {"refund_limit": True}),  # a bool is no number
    ],
)
def test_authority_constraints(
    engine: Engine,
    constraint: str,
    ok: dict[str, float | bool | str],
    not_ok: dict[str, float | bool | str],
) -> None:
    person(engine, "no", authority=not_ok)
    person(engine, "yes", authority=ok, available=False)
    engine.submit("r1", "pay", requirements=needs(None, constraint))
    assert engine.request("r1").state is S.WAITING
    assert offers(engine.set_presence("yes", Presence.AVAILABLE)) == [("r1", "yes")]


def test_authority_is_kept_when_not_given_and_replaced_when_given(engine: Engine) -> None:
    person(engine, "ana", authority={"refund_limit": 500})
    engine.set_specialist("ana", skills={"payments": 3}, capacity=2)
    assert engine.specialist("ana").authority == {"refund_limit": 500}
    engine.set_specialist("ana", skills={"payments": 3}, capacity=2, authority={})
    assert engine.specialist("ana").authority == {}


def test_losing_authority_withdraws_an_offer_that_needs_it(engine: Engine) -> None:
    person(engine, "ana", authority={"refund_limit": 500})
    person(engine, "bob", authority={"refund_limit": 100}, available=False)
    engine.submit("r1", "pay", requirements=needs(None, "refund_limit >= 300"))
    effects = engine.set_specialist(
        "ana", skills={"payments": 3}, capacity=1, authority={"refund_limit": 50}
    )
    assert effects[0].__class__.__name__ == "OfferWithdrawn"
    assert engine.request("r1").state is S.WAITING


@pytest.mark.parametrize(
    "bad",
    [
        {"authority": {"refund limit": 5}},
        {"authority": {"x": None}},
        {"skills": {"payments": 6}},
        {"capacity": {"fax": 1}},
        {"capacity": {"chat": -1}},
    ],
)
def test_bad_specialist_arguments_change_nothing(engine: Engine, bad: dict[str, object]) -> None:
    person(engine, "ana", authority={"refund_limit": 5})
    before = engine.specialist("ana")
    args: dict[str, object] = {"skills": {"payments": 3}, "capacity": 1, **bad}
    with pytest.raises(InvalidArgument):
        engine.set_specialist("ana", **args)  # type: ignore[arg-type]
    assert engine.specialist("ana") == before


def test_submit_refuses_unresolved_references_and_bad_values(engine: Engine) -> None:
    unresolved = Requirements.of(None, ["refund_limit >= context.data.credits"])
    assert isinstance(unresolved.authority[0].value, Ref)
    for kwargs in (
        {"requirements": unresolved},
        {"channel": "fax"},
    ):
        with pytest.raises(InvalidArgument):
            engine.submit("r1", "pay", **kwargs)  # type: ignore[arg-type]
    # ill-typed (mypy refuses these calls): the compiled engine stops them at the call with
    # a TypeError, the interpreted one with its own checks; either way nothing changes
    for kwargs, named in (({"priority": 1.5}, "priority|int"), ({"requirements": {}}, "Req")):
        with pytest.raises((InvalidArgument, TypeError), match=named):
            engine.submit("r1", "pay", **kwargs)  # type: ignore[arg-type]
    assert engine.queues() == {"pay": 0, "ship": 0}
    engine.submit("r1", "pay")  # the id was not used up


# -- priority ----------------------------------------------------------------------------


def test_higher_priority_goes_first_then_fcfs(engine: Engine, clock: FakeClock) -> None:
    engine.submit("old", "pay")
    clock.advance(1)
    engine.submit("gold", "pay", priority=10)
    clock.advance(1)
    engine.submit("gold2", "pay", priority=10)
    assert [engine.position(r) for r in ("gold", "gold2", "old")] == [1, 2, 3]
    person(engine, "ana", capacity=3)
    assert engine.request("gold").specialist_id == "ana"


def test_queue_priority_orders_across_queues(clock: FakeClock) -> None:
    engine = Engine(clock)
    engine.add_queue("pay", "payments")
    engine.add_queue("vip", "payments", policy=QueuePolicy(priority=5))
    engine.submit("r1", "pay")
    clock.advance(1)
    engine.submit("r2", "vip")
    clock.advance(1)
    engine.submit("r3", "pay", priority=5)  # as high as vip's queue priority; later
    person(engine, "ana")
    assert engine.request("r2").state is S.OFFERED
    engine.accept("r2", "ana")
    engine.resolve("r2", "ana")
    assert engine.request("r3").state is S.OFFERED  # 5 beats r1's 0
    assert engine.request("r1").state is S.WAITING


def test_changing_a_queues_priority_reorders_its_line(clock: FakeClock) -> None:
    engine = Engine(clock)
    engine.add_queue("pay", "payments")
    engine.add_queue("ship", "payments")
    engine.submit("p1", "pay")
    clock.advance(1)
    engine.submit("s1", "ship")
    assert engine.add_queue("ship", "payments", policy=QueuePolicy(priority=1)) == []
    assert engine.request("s1").priority == 0  # its own; the queue's is added for order
    person(engine, "ana")
    assert engine.request("s1").state is S.OFFERED


# -- channels ----------------------------------------------------------------------------


def test_capacity_per_channel(engine: Engine) -> None:
    person(engine, "ana", capacity={"chat": 2, "voice": 1})
    assert engine.specialist("ana").capacity == 2  # `capacity` is the chat capacity
    engine.submit("v1", "pay", channel="voice")
    engine.accept("v1", "ana")
    engine.submit("v2", "pay", channel="voice")
    assert engine.request("v2").state is S.WAITING  # one call at a time
    engine.submit("c1", "pay", channel=Channel.CHAT)
    assert engine.request("c1").specialist_id == "ana"  # chats still fit beside a call
    assert engine.specialist("ana").load(Channel.VOICE) == 1


def test_a_call_of_one_kind_blocks_the_other(engine: Engine) -> None:
    person(engine, "ana", capacity={"chat": 0, "voice": 1, "video": 1})
    engine.submit("v1", "pay", channel="video")
    engine.accept("v1", "ana")
    engine.submit("v2", "pay", channel="voice")
    assert engine.request("v2").state is S.WAITING
    effects = engine.resolve("v1", "ana")
    assert offers(effects) == [("v2", "ana")]


def test_an_int_capacity_means_chats_only(engine: Engine) -> None:
    person(engine, "ana", capacity=3)
    effects = engine.submit("v1", "pay", channel="voice")
    assert engine.request("v1").state is S.WAITING
    assert effects[-1].__class__.__name__ == "Unroutable"  # nobody takes calls at all


def test_presence_reports_the_chat_capacity_and_all_active(engine: Engine) -> None:
    person(engine, "ana", capacity={"chat": 2, "video": 1})
    engine.submit("v1", "pay", channel="video")
    assert engine.accept("v1", "ana")[-1] == PresenceChanged("ana", Presence.AVAILABLE, 1, 2)


# -- the choice among eligible specialists -----------------------------------------------


def test_work_spreads_to_the_least_loaded(engine: Engine, clock: FakeClock) -> None:
    person(engine, "ana", capacity=3)
    clock.advance(1)
    person(engine, "bob", capacity=3)
    taken = []
    for i in range(4):
        clock.advance(1)
        engine.submit(f"r{i}", "pay")
        who = engine.request(f"r{i}").specialist_id
        assert who is not None
        engine.accept(f"r{i}", who)
        taken.append(who)
    assert taken == ["ana", "bob", "ana", "bob"]  # not ana, ana, ana, bob


def test_load_is_relative_to_capacity(engine: Engine, clock: FakeClock) -> None:
    person(engine, "big", capacity=4)
    person(engine, "small", capacity=1)
    engine.submit("r0", "pay")
    assert engine.request("r0").specialist_id == "big"  # same load 0: idle longest (id)
    engine.accept("r0", "big")  # big at 1/4
    engine.submit("r1", "pay")
    assert engine.request("r1").specialist_id == "small"  # 0/1 < 1/4
    engine.accept("r1", "small")
    engine.submit("r2", "pay")
    assert engine.request("r2").specialist_id == "big"  # small is full


def test_equal_load_goes_to_the_longest_idle(engine: Engine, clock: FakeClock) -> None:
    person(engine, "ana", capacity=2)
    person(engine, "bob", capacity=2)
    engine.submit("r1", "pay")
    engine.accept("r1", "ana")
    clock.advance(5)
    engine.submit("r2", "pay")
    engine.accept("r2", "bob")  # both 1/2; ana took hers earlier
    clock.advance(5)
    engine.submit("r3", "pay")
    assert engine.request("r3").specialist_id == "ana"


def test_offers_carry_the_state_change(engine: Engine) -> None:
    person(engine, "ana")
    effects = engine.submit("r1", "pay", requirements=needs({"payments": 3}))
    assert StateChanged("r1", S.WAITING, S.OFFERED, None, "ana") in effects
