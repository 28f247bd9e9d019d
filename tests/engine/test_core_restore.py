"""Rebuilding the engine after a restart, its queries, and what it forgets."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tapline.engine import (
    DuplicateRequest,
    Effect,
    Engine,
    FakeClock,
    InvalidArgument,
    OfferMade,
    Presence,
    RequestState,
    StateChanged,
    UnknownQueue,
    UnknownRequest,
    UnknownSpecialist,
)

Staff = Callable[..., list[Effect]]
S = RequestState


def test_waiting_and_offered_come_back_waiting_in_place_order(engine: Engine) -> None:
    assert engine.restore_request("r2", "pay", S.WAITING, enqueued_at=20.0) == []
    assert engine.restore_request("r1", "pay", S.OFFERED, enqueued_at=10.0, specialist_id="x") == [
        StateChanged("r1", S.OFFERED, S.WAITING, None, "x")
    ]
    assert engine.restore_request("r0", "pay", S.NEW, enqueued_at=5.0) == [
        StateChanged("r0", S.NEW, S.WAITING)
    ]
    assert [engine.position(r) for r in ("r0", "r1", "r2")] == [1, 2, 3]
    view = engine.request("r1")
    assert (view.state, view.specialist_id, view.enqueued_at) == (S.WAITING, None, 10.0)
    assert engine.queues() == {"pay": 3, "ship": 0}
    assert engine.next_deadline() is None


def test_connected_attaches_to_its_specialist(engine: Engine, staff: Staff) -> None:
    staff("ana", capacity=2, available=False)
    assert (
        engine.restore_request("r1", "pay", S.CONNECTED, enqueued_at=1.0, specialist_id="ana") == []
    )
    assert engine.specialist("ana").active == {"r1"}
    view = engine.request("r1")
    assert (view.state, view.specialist_id) == (S.CONNECTED, "ana")
    assert engine.waiting("pay") == 0
    engine.resolve("r1", "ana")
    assert engine.specialist("ana").active == set()


def test_route_after_restore_makes_the_offers(engine: Engine, staff: Staff) -> None:
    staff("ana", capacity=2, available=False)
    engine.restore_request("r1", "pay", S.CONNECTED, enqueued_at=1.0, specialist_id="ana")
    engine.restore_request("r2", "pay", S.WAITING, enqueued_at=2.0)
    engine.restore_request("r3", "pay", S.WAITING, enqueued_at=3.0)
    assert engine.route() == []  # ana is not available yet
    effects = engine.set_presence("ana", Presence.AVAILABLE)
    assert [e.request_id for e in effects if isinstance(e, OfferMade)] == ["r2"]
    assert engine.route() == []  # nothing more to do: one offer each


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("r9", "pay", S.RESOLVED, None), InvalidArgument),
        (("r9", "pay", S.CONNECTED, None), InvalidArgument),
        (("r9", "pay", S.CONNECTED, "zed"), UnknownSpecialist),
        (("r9", "nope", S.WAITING, None), UnknownQueue),
        (("r1", "pay", S.WAITING, None), DuplicateRequest),
    ],
)
def test_bad_restores_change_nothing(
    engine: Engine, args: tuple[str, str, S, str | None], error: type[Exception]
) -> None:
    engine.restore_request("r1", "pay", S.WAITING, enqueued_at=1.0)
    request_id, queue_id, state, specialist_id = args
    with pytest.raises(error):
        engine.restore_request(
            request_id, queue_id, state, enqueued_at=2.0, specialist_id=specialist_id
        )
    assert engine.queues() == {"pay": 1, "ship": 0}
    assert engine.request("r1").state is S.WAITING
    if request_id == "r9":
        with pytest.raises(UnknownRequest):
            engine.request("r9")


# -- queries -----------------------------------------------------------------------------


def test_queries_on_unknown_ids(engine: Engine) -> None:
    with pytest.raises(UnknownRequest):
        engine.request("zz")
    with pytest.raises(UnknownRequest):
        engine.position("zz")
    with pytest.raises(UnknownSpecialist):
        engine.specialist("zz")
    with pytest.raises(UnknownQueue):
        engine.waiting("zz")


def test_specialist_is_a_copy(engine: Engine, staff: Staff) -> None:
    staff("ana")
    copy = engine.specialist("ana")
    copy.active.add("r1")
    copy.presence = Presence.AWAY
    copy.skills["shipping"] = 5
    ana = engine.specialist("ana")
    assert (ana.active, ana.presence, ana.skills) == (set(), Presence.AVAILABLE, {"payments": 3})


def test_positions_count_per_queue(engine: Engine, staff: Staff) -> None:
    engine.submit("p1", "pay")
    engine.submit("s1", "ship")
    engine.submit("p2", "pay")
    staff("ana")
    assert [engine.position(r) for r in ("p1", "p2", "s1")] == [1, 2, 1]
    engine.accept("p1", "ana")
    assert [engine.position(r) for r in ("p1", "p2")] == [None, 1]


def test_ended_requests_are_forgotten_past_the_bound(clock: FakeClock) -> None:
    engine = Engine(clock, keep_ended=2)
    engine.add_queue("pay", "payments")
    for r in ("r1", "r2", "r3"):
        engine.submit(r, "pay")
        engine.cancel(r)
    with pytest.raises(UnknownRequest):
        engine.request("r1")
    assert engine.request("r2").state is S.CANCELLED
    assert engine.request("r3").state is S.CANCELLED
    with pytest.raises(UnknownRequest):
        engine.cancel("r1")
    engine.submit("r1", "pay")  # a forgotten id is a new request again
    assert engine.request("r1").state is S.WAITING


def test_keep_ended_zero_forgets_at_once(clock: FakeClock) -> None:
    engine = Engine(clock, keep_ended=0)
    engine.add_queue("pay", "payments")
    engine.submit("r1", "pay")
    engine.cancel("r1")
    with pytest.raises(UnknownRequest):
        engine.request("r1")
