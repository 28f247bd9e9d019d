from __future__ import annotations

from collections.abc import Callable, Sequence

from tapline.engine import (
    Channel,
    Effect,
    Engine,
    FakeClock,
    LeastLoadedRouter,
    LongestIdleRouter,
    OfferMade,
    Presence,
    RequestState,
    Router,
    SpecialistState,
    WaitingRequest,
)

Staff = Callable[..., list[Effect]]
REQUEST = WaitingRequest("r1", "pay", "payments", 0.0)


def spec(specialist_id: str, idle_since: float) -> SpecialistState:
    return SpecialistState(
        specialist_id, {"payments": 1}, 1, Presence.AVAILABLE, idle_since=idle_since
    )


def test_longest_idle_picks_the_smallest_idle_since() -> None:
    candidates = [spec("a", 30.0), spec("b", 10.0), spec("c", 20.0)]
    assert LongestIdleRouter().choose(REQUEST, candidates, 100.0) is candidates[1]


def test_longest_idle_breaks_ties_by_specialist_id() -> None:
    candidates = [spec("c", 10.0), spec("a", 10.0), spec("b", 10.0)]
    chosen = LongestIdleRouter().choose(REQUEST, candidates, 100.0)
    assert chosen is not None and chosen.specialist_id == "a"


def test_longest_idle_with_no_candidates_chooses_nobody() -> None:
    assert LongestIdleRouter().choose(REQUEST, [], 100.0) is None
    assert LeastLoadedRouter().choose(REQUEST, [], 100.0) is None


def test_least_loaded_goes_by_load_over_capacity_then_idle_then_id() -> None:
    a, b, c = spec("a", 10.0), spec("b", 20.0), spec("c", 5.0)
    a.capacity, b.capacity, c.capacity = 4, 2, 1
    a.active, b.active, c.active = {"x"}, {"y"}, {"z"}  # 1/4, 1/2, 1/1
    assert LeastLoadedRouter().choose(REQUEST, [c, b, a], 100.0) is a
    b.active = set()
    assert LeastLoadedRouter().choose(REQUEST, [c, b, a], 100.0) is b
    a.active = set()
    assert LeastLoadedRouter().choose(REQUEST, [c, b, a], 100.0) is a  # idle longer
    b.idle_since = a.idle_since
    assert LeastLoadedRouter().choose(REQUEST, [c, b, a], 100.0) is a  # then by id


def test_least_loaded_looks_at_the_requests_channel() -> None:
    a, b = spec("a", 10.0), spec("b", 20.0)
    a.call_capacity = b.call_capacity = {Channel.VOICE: 1}
    a.active = {"x", "y"}
    a.capacity = 5
    voice = WaitingRequest("r1", "pay", "payments", 0.0, Channel.VOICE)
    assert LeastLoadedRouter().choose(voice, [b, a], 100.0) is a  # chats do not count


class Recording:
    """A router that records what it was asked and answers from a script."""

    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.calls: list[tuple[WaitingRequest, list[str], float]] = []

    def choose(
        self, request: WaitingRequest, candidates: Sequence[SpecialistState], now: float
    ) -> SpecialistState | None:
        self.calls.append((request, [c.specialist_id for c in candidates], now))
        if self.answer is None:
            return None
        # A copy, as a router might make: the engine must use its own record.
        return SpecialistState(self.answer, {}, 0)


def routed_engine(router: Router) -> Engine:
    engine = Engine(FakeClock(50.0), router=router)
    engine.add_queue("pay", "payments")
    for sid in ("a", "b"):
        engine.set_specialist(sid, skills={"payments": 2}, capacity=1)
        engine.set_presence(sid, Presence.AVAILABLE)
    return engine


def test_the_engine_asks_the_router_with_the_eligible_specialists() -> None:
    router = Recording("b")
    engine = routed_engine(router)
    effects = engine.submit("r1", "pay")
    assert router.calls == [(WaitingRequest("r1", "pay", "payments", 50.0), ["a", "b"], 50.0)]
    assert OfferMade("r1", "b", 80.0) in effects
    assert engine.specialist("b").offered == "r1"


def test_a_router_may_leave_a_request_waiting() -> None:
    engine = routed_engine(Recording(None))
    engine.submit("r1", "pay")
    assert engine.request("r1").state is RequestState.WAITING


def test_an_answer_outside_the_candidates_is_ignored() -> None:
    engine = routed_engine(Recording("zed"))
    engine.submit("r1", "pay")
    assert engine.request("r1").state is RequestState.WAITING


def test_default_router_is_least_loaded_then_longest_idle(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("late")
    clock.advance(1)
    staff("later")
    engine.set_presence("late", Presence.AWAY)
    clock.advance(1)
    engine.set_presence("late", Presence.AVAILABLE)  # idle again from now: after "later"
    engine.submit("r1", "pay")
    assert engine.request("r1").specialist_id == "later"
