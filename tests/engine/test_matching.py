from __future__ import annotations

from tapline.engine import Channel, Presence, SpecialistState
from tapline.engine.lineup import NORMAL, Place
from tapline.engine.matching import Pools, RankedPools, in_place_order, is_free
from tapline.engine.routing import LeastLoadedRouter


def spec(sid: str, skills: dict[str, int], **changes: object) -> SpecialistState:
    s = SpecialistState(sid, skills, capacity=1, presence=Presence.AVAILABLE)
    for name, value in changes.items():
        setattr(s, name, value)
    return s


def test_free_means_available_no_offer_and_room_on_some_channel() -> None:
    assert is_free(spec("a", {"p": 1}))
    assert not is_free(spec("b", {"p": 1}, presence=Presence.BUSY))
    assert not is_free(spec("c", {"p": 1}, active={"r1"}))
    assert not is_free(spec("d", {"p": 1}, offered="r2"))
    # A full chat load, but room for a call.
    assert is_free(spec("e", {"p": 1}, active={"r1"}, call_capacity={Channel.VOICE: 1}))


def test_refresh_keeps_only_the_free_by_skill() -> None:
    pools = Pools()
    a = spec("a", {"payments": 2, "shipping": 1})
    b = spec("b", {"payments": 5}, presence=Presence.BUSY)
    e = spec("e", {"shipping": 3})
    assert [pools.refresh(s) for s in (a, b, e)] == [True, False, True]
    assert list(pools.get("payments")) == ["a"]
    assert list(pools.get("shipping")) == ["a", "e"]
    a.offered = "r1"
    assert not pools.refresh(a)
    assert not pools.has("payments") and list(pools.get("shipping")) == ["e"]
    assert "a" not in pools and "e" in pools and len(pools) == 1


def test_skills_below_level_one_are_not_pooled() -> None:
    pools = Pools()
    pools.add(spec("a", {"payments": 0, "shipping": 1}))
    assert not pools.has("payments") and pools.has("shipping")


def p(seq: int, at: float, priority: int = 0) -> Place:
    return (NORMAL, -priority, at, seq, f"r{seq}")


def test_walks_all_lists_in_one_place_order() -> None:
    pay = [p(1, 1.0), p(4, 4.0)]
    ship = [p(2, 2.0), p(3, 3.0), p(5, 0.5, priority=3)]
    ship.sort()
    walked = [(place[4], i) for place, i in in_place_order([pay, ship], lambda i: True)]
    assert walked == [("r5", 1), ("r1", 0), ("r2", 1), ("r3", 1), ("r4", 0)]


def test_a_list_stops_being_walked_when_asked() -> None:
    pay = [p(1, 1.0), p(3, 3.0)]
    ship = [p(2, 2.0), p(4, 4.0)]
    stopped: set[int] = set()
    seen = []
    for place, _i in in_place_order([pay, ship], lambda i: i not in stopped):
        seen.append(place[4])
        stopped.add(0)  # after the first, the pay list is done
    assert seen == ["r1", "r2", "r4"]


def test_ranked_pools_keep_the_routers_order_as_specialists_change() -> None:
    router = LeastLoadedRouter()
    pools = RankedPools(router.key)
    a = spec("a", {"payments": 1}, idle_since=30.0)
    b = spec("b", {"payments": 1}, idle_since=10.0, capacity=2)
    c = spec("c", {"payments": 1, "shipping": 1}, idle_since=20.0)
    for s in (a, b, c):
        pools.refresh(s)

    def order(skill: str = "payments", channel: Channel = Channel.CHAT) -> list[str]:
        return [s.specialist_id for _, s in pools.ranked(skill, channel)]

    assert order() == ["b", "c", "a"]
    b.active = {"r1"}  # half loaded: last
    pools.refresh(b)
    assert order() == ["c", "a", "b"] and order("shipping") == ["c"]
    c.offered = "r2"  # not free any more
    pools.refresh(c)
    assert order() == ["a", "b"] and order("shipping") == []
    c.offered = None
    c.idle_since = 5.0
    pools.refresh(c)
    assert order() == ["c", "a", "b"]
    # A channel asked for later is ranked from then on too.
    assert order(channel=Channel.VOICE) == ["c", "b", "a"]  # no calls: by idle time
    pools.discard("a")
    assert order() == ["c", "b"] and order(channel=Channel.VOICE) == ["c", "b"]
