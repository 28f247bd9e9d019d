from __future__ import annotations

from tapline.engine import Presence, SpecialistState
from tapline.engine.lineup import NORMAL, Place, QueueRecord
from tapline.engine.matching import candidates, free_pools, in_place_order, take


def spec(sid: str, skills: dict[str, int], **changes: object) -> SpecialistState:
    s = SpecialistState(sid, skills, capacity=1, presence=Presence.AVAILABLE)
    for name, value in changes.items():
        setattr(s, name, value)
    return s


def test_free_pools_hold_only_who_may_get_an_offer_now() -> None:
    a = spec("a", {"payments": 2, "shipping": 1})
    b = spec("b", {"payments": 5}, presence=Presence.BUSY)
    c = spec("c", {"payments": 5}, active={"r1"})
    d = spec("d", {"payments": 5}, offered="r2")
    e = spec("e", {"shipping": 3})
    pools = free_pools([a, b, c, d, e])
    assert {skill: list(pool) for skill, pool in pools.items()} == {
        "payments": ["a"],
        "shipping": ["a", "e"],
    }


def test_take_removes_from_every_pool_and_drops_empty_ones() -> None:
    a = spec("a", {"payments": 2, "shipping": 1})
    e = spec("e", {"shipping": 3})
    pools = free_pools([a, e])
    take(pools, a)
    assert {skill: list(pool) for skill, pool in pools.items()} == {"shipping": ["e"]}


def test_candidates_leave_out_the_excluded() -> None:
    pools = free_pools([spec("a", {"p": 1}), spec("b", {"p": 1})])
    assert [s.specialist_id for s in candidates(pools["p"], {"a"})] == ["b"]


def p(seq: int, at: float) -> Place:
    return (NORMAL, at, seq, f"r{seq}")


def queue(queue_id: str, skill: str, *places: Place) -> QueueRecord:
    q = QueueRecord(queue_id, skill)
    for place in places:
        q.lineup.join(place)
    return q


def test_walks_all_queues_in_one_place_order() -> None:
    pay = queue("pay", "payments", p(1, 1.0), p(4, 4.0))
    ship = queue("ship", "shipping", p(2, 2.0), p(3, 3.0))
    pools = free_pools([spec("a", {"payments": 1, "shipping": 1})])
    assert [place[3] for place, _ in in_place_order([pay, ship], pools)] == [
        "r1",
        "r2",
        "r3",
        "r4",
    ]


def test_skips_queues_nobody_free_can_serve_and_stops_when_all_are_taken() -> None:
    pay = queue("pay", "payments", p(1, 1.0), p(3, 3.0))
    ship = queue("ship", "shipping", p(2, 2.0))
    a = spec("a", {"payments": 1})
    pools = free_pools([a])
    seen = []
    for place, q in in_place_order([pay, ship], pools):
        seen.append(place[3])
        assert q is pay
        take(pools, a)
    assert seen == ["r1"]
