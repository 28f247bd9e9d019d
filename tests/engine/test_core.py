"""The engine's commands: submit, accept, decline, resolve, cancel, end_dead, presence, drops."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tapline.engine import (
    DeadEndCause,
    DuplicateRequest,
    Effect,
    Engine,
    FakeClock,
    InvalidArgument,
    InvalidTransition,
    NotAssigned,
    NotOffered,
    OfferMade,
    OfferWithdrawn,
    Presence,
    PresenceChanged,
    QueueChanged,
    RequestState,
    StateChanged,
    UnknownQueue,
    UnknownRequest,
    UnknownSpecialist,
    Unroutable,
)

Staff = Callable[..., list[Effect]]
S = RequestState
NEW, WAITING, OFFERED, CONNECTED = S.NEW, S.WAITING, S.OFFERED, S.CONNECTED
AVAILABLE = Presence.AVAILABLE
START, EXPIRES = 1_000.0, 1_030.0


def offers(effects: list[Effect]) -> list[tuple[str, str]]:
    return [(e.request_id, e.specialist_id) for e in effects if isinstance(e, OfferMade)]


def connect(engine: Engine, request_id: str, queue_id: str = "pay") -> str:
    """Submit a request and have whoever it is offered to accept it; return who."""
    engine.submit(request_id, queue_id)
    specialist_id = engine.request(request_id).specialist_id
    assert specialist_id is not None
    engine.accept(request_id, specialist_id)
    return specialist_id


# -- submit ------------------------------------------------------------------------------


def test_submit_with_nobody_there_waits(engine: Engine) -> None:
    assert engine.submit("r1", "pay") == [
        StateChanged("r1", NEW, WAITING),
        QueueChanged("pay", 1),
        # Nobody is registered at all: the driver is told, the request keeps its place.
        Unroutable("r1", "pay", "unqualified", "payments >= 1 (chat)"),
    ]
    view = engine.request("r1")
    assert (view.state, view.queue_id, view.enqueued_at) == (WAITING, "pay", START)
    assert view.specialist_id is None and view.offer_expires_at is None
    assert engine.position("r1") == 1
    assert engine.waiting("pay") == 1
    assert engine.queues() == {"pay": 1, "ship": 0}


def test_submit_offers_to_an_available_specialist(engine: Engine, staff: Staff) -> None:
    staff("ana")
    assert engine.submit("r1", "pay") == [
        StateChanged("r1", NEW, WAITING),
        QueueChanged("pay", 1),
        StateChanged("r1", WAITING, OFFERED, None, "ana"),
        OfferMade("r1", "ana", EXPIRES),
    ]
    view = engine.request("r1")
    assert (view.state, view.specialist_id, view.offer_expires_at) == (OFFERED, "ana", EXPIRES)
    assert engine.specialist("ana").offered == "r1"
    assert engine.waiting("pay") == 1  # an offered request still counts as waiting
    assert engine.position("r1") == 1


def test_submit_needs_the_queues_skill(engine: Engine, staff: Staff) -> None:
    staff("ana", skills={"shipping": 5})
    engine.submit("r1", "pay")
    assert engine.request("r1").state is WAITING
    assert offers(engine.submit("r2", "ship")) == [("r2", "ana")]


def test_submit_to_an_unknown_queue_or_twice_is_refused(engine: Engine) -> None:
    with pytest.raises(UnknownQueue):
        engine.submit("r1", "nope")
    with pytest.raises(UnknownRequest):
        engine.request("r1")
    engine.submit("r1", "pay")
    with pytest.raises(DuplicateRequest):
        engine.submit("r1", "ship")
    assert engine.request("r1").queue_id == "pay"
    assert engine.queues() == {"pay": 1, "ship": 0}


# -- accept ------------------------------------------------------------------------------


def test_accept_connects_and_keeps_presence(engine: Engine, staff: Staff) -> None:
    staff("ana", capacity=2)
    engine.submit("r1", "pay")
    assert engine.accept("r1", "ana") == [
        StateChanged("r1", OFFERED, CONNECTED, None, "ana"),
        QueueChanged("pay", 0),
        PresenceChanged("ana", AVAILABLE, 1, 2),
    ]
    ana = engine.specialist("ana")
    assert ana.active == {"r1"} and ana.offered is None and ana.presence is AVAILABLE
    view = engine.request("r1")
    assert (view.state, view.specialist_id, view.offer_expires_at) == (CONNECTED, "ana", None)
    assert engine.position("r1") is None
    assert engine.next_deadline() is None  # the offer's timeout is gone


def test_accept_at_full_capacity_leaves_presence_alone(engine: Engine, staff: Staff) -> None:
    staff("ana", capacity=1)
    connect(engine, "r1")
    assert engine.specialist("ana").presence is AVAILABLE  # BUSY is only ever set by hand
    engine.submit("r2", "pay")
    assert engine.request("r2").state is WAITING


def test_accept_frees_the_offer_slot_for_the_next_request(engine: Engine, staff: Staff) -> None:
    staff("ana", capacity=2)
    engine.submit("r1", "pay")
    engine.submit("r2", "pay")
    assert engine.request("r2").state is WAITING  # one pending offer at a time
    effects = engine.accept("r1", "ana")
    assert offers(effects) == [("r2", "ana")]


@pytest.mark.parametrize(
    ("request_id", "specialist_id", "error"),
    [
        ("r1", "bob", NotOffered),  # someone else holds the offer
        ("r2", "ana", NotOffered),  # waiting, not offered
        ("zz", "ana", UnknownRequest),
        ("r1", "zed", UnknownSpecialist),
    ],
)
def test_accept_by_the_wrong_party_changes_nothing(
    engine: Engine, staff: Staff, request_id: str, specialist_id: str, error: type[Exception]
) -> None:
    staff("ana")
    staff("bob", available=False)
    engine.submit("r1", "pay")
    engine.submit("r2", "pay")
    before = (engine.request("r1"), engine.request("r2"), engine.specialist("ana"))
    with pytest.raises(error):
        engine.accept(request_id, specialist_id)
    assert (engine.request("r1"), engine.request("r2"), engine.specialist("ana")) == before


# -- decline -----------------------------------------------------------------------------


def test_decline_goes_to_the_next_specialist_and_never_back(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("ana")
    clock.advance(1)
    staff("bob")
    engine.submit("r1", "pay")
    assert engine.request("r1").specialist_id == "ana"  # idle longest
    assert engine.decline("r1", "ana") == [
        OfferWithdrawn("r1", "ana", "declined"),
        StateChanged("r1", OFFERED, WAITING, None, "ana"),
        StateChanged("r1", WAITING, OFFERED, None, "bob"),
        OfferMade("r1", "bob", EXPIRES + 1),
    ]
    assert engine.decline("r1", "bob")[-2:] == [
        StateChanged("r1", OFFERED, WAITING, None, "bob"),
        Unroutable("r1", "pay", "declined", "payments >= 1 (chat)"),  # nobody left: say so
    ]
    assert engine.request("r1").state is WAITING
    assert engine.request("r1").unroutable == "declined"
    assert engine.route() == []  # both declined: nobody left to offer it to, already told
    assert offers(engine.submit("r2", "pay")) == [("r2", "ana")]


def test_decline_keeps_the_requests_place(engine: Engine, staff: Staff) -> None:
    engine.submit("r0", "pay")
    staff("ana")  # r0 offered to ana
    engine.submit("r1", "pay")
    engine.submit("r2", "pay")
    engine.decline("r0", "ana")  # r0 back at the front, ana excluded: r1 is offered to her
    assert [engine.position(r) for r in ("r0", "r1", "r2")] == [1, 2, 3]
    assert engine.request("r0").enqueued_at == START
    assert engine.request("r1").specialist_id == "ana"
    staff("bob")
    assert engine.request("r0").specialist_id == "bob"  # first in line gets the next one


def test_decline_by_someone_without_the_offer_is_refused(engine: Engine, staff: Staff) -> None:
    staff("ana")
    staff("bob", available=False)
    engine.submit("r1", "pay")
    with pytest.raises(NotOffered):
        engine.decline("r1", "bob")
    engine.accept("r1", "ana")
    with pytest.raises(NotOffered):
        engine.decline("r1", "ana")
    assert engine.request("r1").state is CONNECTED


# -- resolve -----------------------------------------------------------------------------


def test_resolve_ends_the_chat_and_routes_the_next(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("ana")
    connect(engine, "r1")
    engine.submit("r2", "pay")
    clock.advance(60)
    assert engine.resolve("r1", "ana") == [
        StateChanged("r1", CONNECTED, S.RESOLVED, None, "ana"),
        PresenceChanged("ana", AVAILABLE, 0, 1),
        StateChanged("r2", WAITING, OFFERED, None, "ana"),
        OfferMade("r2", "ana", EXPIRES + 60),
    ]
    assert engine.specialist("ana").idle_since == START + 60  # had room again after being full
    view = engine.request("r1")
    assert (view.state, view.cause, view.specialist_id) == (S.RESOLVED, None, "ana")


def test_resolve_unresolved_is_a_dead_end(engine: Engine, staff: Staff) -> None:
    staff("ana")
    connect(engine, "r1")
    effects = engine.resolve("r1", "ana", unresolved=True)
    assert effects[0] == StateChanged("r1", CONNECTED, S.DEAD_END, DeadEndCause.UNRESOLVED, "ana")
    assert engine.request("r1").cause is DeadEndCause.UNRESOLVED


def test_idle_since_moves_when_the_load_changes(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("ana", capacity=3)
    clock.advance(5)
    connect(engine, "r1")
    assert engine.specialist("ana").idle_since == START + 5  # took a request
    clock.advance(10)
    engine.resolve("r1", "ana")
    assert engine.specialist("ana").idle_since == START + 15  # finished one


@pytest.mark.parametrize(
    ("request_id", "specialist_id", "error"),
    [
        ("r1", "bob", NotAssigned),
        ("r2", "ana", InvalidTransition),  # only offered
        ("r3", "ana", InvalidTransition),  # waiting
        ("zz", "ana", UnknownRequest),
        ("r1", "zed", UnknownSpecialist),
    ],
)
def test_resolve_errors_change_nothing(
    engine: Engine, staff: Staff, request_id: str, specialist_id: str, error: type[Exception]
) -> None:
    staff("ana", capacity=2)
    staff("bob", available=False)
    connect(engine, "r1")
    engine.submit("r2", "pay")
    engine.submit("r3", "pay")
    before = [engine.request(r) for r in ("r1", "r2", "r3")], engine.specialist("ana")
    with pytest.raises(error):
        engine.resolve(request_id, specialist_id)
    assert ([engine.request(r) for r in ("r1", "r2", "r3")], engine.specialist("ana")) == before


def test_resolve_twice_is_an_invalid_transition(engine: Engine, staff: Staff) -> None:
    staff("ana")
    connect(engine, "r1")
    engine.resolve("r1", "ana")
    with pytest.raises(InvalidTransition):
        engine.resolve("r1", "ana")


# -- cancel and end_dead -----------------------------------------------------------------


def test_cancel_while_waiting(engine: Engine) -> None:
    engine.submit("r1", "pay")
    engine.submit("r2", "pay")
    assert engine.cancel("r1") == [
        StateChanged("r1", WAITING, S.CANCELLED),
        QueueChanged("pay", 1),
    ]
    assert engine.position("r2") == 1
    assert engine.position("r1") is None


def test_cancel_during_an_offer_withdraws_it(engine: Engine, staff: Staff) -> None:
    staff("ana")
    engine.submit("r1", "pay")
    engine.submit("r2", "pay")
    assert engine.cancel("r1") == [
        OfferWithdrawn("r1", "ana", "cancelled"),
        StateChanged("r1", OFFERED, S.CANCELLED, None, "ana"),
        QueueChanged("pay", 1),
        StateChanged("r2", WAITING, OFFERED, None, "ana"),
        OfferMade("r2", "ana", EXPIRES),
    ]
    assert engine.request("r1").specialist_id is None
    assert engine.next_deadline() == EXPIRES  # r2's offer; r1's is gone


def test_cancel_while_connected_frees_capacity(engine: Engine, staff: Staff) -> None:
    staff("ana")
    connect(engine, "r1")
    engine.submit("r2", "pay")
    effects = engine.cancel("r1")
    assert effects[:2] == [
        StateChanged("r1", CONNECTED, S.CANCELLED, None, "ana"),
        PresenceChanged("ana", AVAILABLE, 0, 1),
    ]
    assert offers(effects) == [("r2", "ana")]


def test_cancel_an_ended_request_is_an_invalid_transition(engine: Engine) -> None:
    engine.submit("r1", "pay")
    engine.cancel("r1")
    with pytest.raises(InvalidTransition):
        engine.cancel("r1")
    with pytest.raises(InvalidTransition):
        engine.end_dead("r1", DeadEndCause.ABANDONED)
    assert engine.request("r1").state is S.CANCELLED
    with pytest.raises(UnknownRequest):
        engine.cancel("zz")


@pytest.mark.parametrize("cause", list(DeadEndCause))
def test_end_dead_with_any_cause(engine: Engine, cause: DeadEndCause) -> None:
    engine.submit("r1", "pay")
    assert engine.end_dead("r1", cause) == [
        StateChanged("r1", WAITING, S.DEAD_END, cause),
        QueueChanged("pay", 0),
    ]
    view = engine.request("r1")
    assert (view.state, view.cause) == (S.DEAD_END, cause)


def test_end_dead_while_offered_or_connected(engine: Engine, staff: Staff) -> None:
    staff("ana", capacity=2)
    connect(engine, "r1")
    engine.submit("r2", "pay")
    assert engine.end_dead("r2", DeadEndCause.NO_SPECIALIST)[0] == OfferWithdrawn(
        "r2", "ana", "cancelled"
    )
    effects = engine.end_dead("r1", DeadEndCause.MISSED_CALLBACK)
    assert effects == [
        StateChanged("r1", CONNECTED, S.DEAD_END, DeadEndCause.MISSED_CALLBACK, "ana"),
        PresenceChanged("ana", AVAILABLE, 0, 2),
    ]
    assert engine.specialist("ana").active == set()


# -- routing order and capacity ----------------------------------------------------------


def test_fcfs_across_queues_by_enqueued_time(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    engine.submit("ship-old", "ship")
    clock.advance(1)
    engine.submit("pay-new", "pay")
    staff("ana", skills={"payments": 1, "shipping": 1})
    assert engine.request("ship-old").specialist_id == "ana"
    assert engine.request("pay-new").state is WAITING


def test_fcfs_ties_in_time_go_by_submit_order(engine: Engine, staff: Staff) -> None:
    for r in ("r3", "r1", "r2"):
        engine.submit(r, "pay")
    assert [engine.position(r) for r in ("r3", "r1", "r2")] == [1, 2, 3]
    staff("ana", capacity=3)
    served = []
    for _ in range(3):
        (rid,) = [r for r in ("r1", "r2", "r3") if engine.request(r).state is OFFERED]
        served.append(rid)
        engine.accept(rid, "ana")
    assert served == ["r3", "r1", "r2"]


def test_capacity_is_respected_across_many_requests(engine: Engine, staff: Staff) -> None:
    staff("ana", capacity=2)
    staff("bob", capacity=3)
    for i in range(20):
        engine.submit(f"r{i}", "pay")
    for _ in range(20):
        for sid in ("ana", "bob"):
            offered = engine.specialist(sid).offered
            if offered is not None:
                engine.accept(offered, sid)
    assert len(engine.specialist("ana").active) == 2
    assert len(engine.specialist("bob").active) == 3
    assert engine.waiting("pay") == 15
    assert engine.specialist("ana").offered is None
    assert engine.specialist("bob").offered is None


def test_longest_idle_gets_the_offer(engine: Engine, clock: FakeClock, staff: Staff) -> None:
    for sid in ("cy", "ana", "bob"):
        staff(sid, capacity=1)
        clock.advance(5)
    assert offers(engine.submit("r1", "pay")) == [("r1", "cy")]
    assert offers(engine.submit("r2", "pay")) == [("r2", "ana")]
    assert offers(engine.submit("r3", "pay")) == [("r3", "bob")]


def test_a_zero_capacity_specialist_gets_nothing(engine: Engine, staff: Staff) -> None:
    staff("ana", capacity=0)
    engine.submit("r1", "pay")
    assert engine.request("r1").state is WAITING


# -- presence and specialists ------------------------------------------------------------


def test_a_new_specialist_starts_offline(engine: Engine, clock: FakeClock) -> None:
    effects = engine.set_specialist("ana", skills={"payments": 2}, capacity=2)
    assert effects == [PresenceChanged("ana", Presence.OFFLINE, 0, 2)]
    ana = engine.specialist("ana")
    assert (ana.presence, ana.skills, ana.capacity, ana.idle_since) == (
        Presence.OFFLINE,
        {"payments": 2},
        2,
        START,
    )
    engine.submit("r1", "pay")
    assert engine.request("r1").state is WAITING


def test_going_available_routes(engine: Engine, staff: Staff) -> None:
    engine.submit("r1", "pay")
    assert staff("ana") == [
        PresenceChanged("ana", AVAILABLE, 0, 1),
        StateChanged("r1", WAITING, OFFERED, None, "ana"),
        OfferMade("r1", "ana", EXPIRES),
    ]


@pytest.mark.parametrize("presence", [Presence.BUSY, Presence.AWAY, Presence.OFFLINE])
def test_leaving_available_withdraws_and_reroutes_the_offer(
    engine: Engine, clock: FakeClock, staff: Staff, presence: Presence
) -> None:
    staff("ana")
    clock.advance(1)
    staff("bob")
    engine.submit("r1", "pay")
    assert engine.set_presence("ana", presence) == [
        PresenceChanged("ana", presence, 0, 1),
        OfferWithdrawn("r1", "ana", "specialist_left"),
        StateChanged("r1", OFFERED, WAITING, None, "ana"),
        StateChanged("r1", WAITING, OFFERED, None, "bob"),
        OfferMade("r1", "bob", EXPIRES + 1),
    ]


def test_leaving_available_keeps_connected_chats(engine: Engine, staff: Staff) -> None:
    staff("ana", capacity=2)
    connect(engine, "r1")
    engine.set_presence("ana", Presence.BUSY)
    assert engine.request("r1").state is CONNECTED
    assert engine.specialist("ana").active == {"r1"}
    engine.submit("r2", "pay")
    assert engine.request("r2").state is WAITING


def test_setting_the_same_presence_does_nothing(engine: Engine, staff: Staff) -> None:
    staff("ana")
    assert engine.set_presence("ana", AVAILABLE) == []
    with pytest.raises(UnknownSpecialist):
        engine.set_presence("zed", AVAILABLE)


def test_more_capacity_routes_and_counts_as_idle_again(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("ana", capacity=1)
    connect(engine, "r1")
    engine.submit("r2", "pay")
    clock.advance(7)
    effects = engine.set_specialist("ana", skills={"payments": 3}, capacity=2)
    assert effects == [
        PresenceChanged("ana", AVAILABLE, 1, 2),
        StateChanged("r2", WAITING, OFFERED, None, "ana"),
        OfferMade("r2", "ana", EXPIRES + 7),
    ]
    assert engine.specialist("ana").idle_since == START + 7


def test_losing_the_skill_withdraws_the_offer(engine: Engine, staff: Staff) -> None:
    staff("ana")
    engine.submit("r1", "pay")
    effects = engine.set_specialist("ana", skills={"shipping": 3}, capacity=1)
    assert effects == [
        OfferWithdrawn("r1", "ana", "specialist_left"),
        StateChanged("r1", OFFERED, WAITING, None, "ana"),
        Unroutable("r1", "pay", "unqualified", "payments >= 1 (chat)"),
    ]


def test_less_capacity_withdraws_an_offer_that_no_longer_fits(engine: Engine, staff: Staff) -> None:
    staff("ana", capacity=2)
    connect(engine, "r1")
    engine.submit("r2", "pay")
    effects = engine.set_specialist("ana", skills={"payments": 3}, capacity=1)
    assert effects[:2] == [
        PresenceChanged("ana", AVAILABLE, 1, 1),
        OfferWithdrawn("r2", "ana", "specialist_left"),
    ]
    assert engine.request("r2").state is WAITING


@pytest.mark.parametrize(
    ("skills", "capacity"),
    [({"payments": 0}, 1), ({"payments": 6}, 1), ({"payments": 2}, -1)],
)
def test_bad_specialist_values_are_refused(
    engine: Engine, staff: Staff, skills: dict[str, int], capacity: int
) -> None:
    staff("ana")
    before = engine.specialist("ana")
    with pytest.raises(InvalidArgument):
        engine.set_specialist("ana", skills=skills, capacity=capacity)
    with pytest.raises(InvalidArgument):
        engine.set_specialist("new", skills=skills, capacity=capacity)
    assert engine.specialist("ana") == before
    with pytest.raises(UnknownSpecialist):
        engine.specialist("new")


def test_changing_a_queues_skill_routes(engine: Engine, staff: Staff) -> None:
    staff("ana", skills={"refunds": 2})
    engine.submit("r1", "pay")
    assert engine.add_queue("pay", "payments") == []
    assert offers(engine.add_queue("pay", "refunds")) == [("r1", "ana")]
    assert engine.add_queue("new", "x") == []
    assert engine.queues() == {"pay": 1, "ship": 0, "new": 0}


# -- a specialist drops ------------------------------------------------------------------


def test_drop_reroutes_connected_requests_at_the_front(
    engine: Engine, clock: FakeClock, staff: Staff
) -> None:
    staff("ana", capacity=2)
    engine.submit("r1", "pay")
    engine.decline("r1", "ana")  # r1 waits, ana excluded for it
    clock.advance(10)
    connect(engine, "r2")
    engine.submit("r3", "pay")  # offered to ana (room for one more)
    assert engine.request("r3").specialist_id == "ana"
    assert engine.specialist_dropped("ana") == [
        OfferWithdrawn("r3", "ana", "specialist_left"),
        StateChanged("r3", OFFERED, WAITING, None, "ana"),
        StateChanged("r2", CONNECTED, WAITING, None, "ana"),
        QueueChanged("pay", 3),
        PresenceChanged("ana", Presence.OFFLINE, 0, 2),
    ]
    # r2 is younger than r1 but goes first: it was already being helped.
    assert [engine.position(r) for r in ("r2", "r1", "r3")] == [1, 2, 3]
    assert engine.request("r2").enqueued_at == START + 10  # its original enqueued time
    staff("bob")
    assert engine.request("r2").specialist_id == "bob"


def test_drop_of_someone_with_nothing_only_sets_offline(engine: Engine, staff: Staff) -> None:
    staff("ana")
    assert engine.specialist_dropped("ana") == [PresenceChanged("ana", Presence.OFFLINE, 0, 1)]
    assert engine.specialist_dropped("ana") == []
    with pytest.raises(UnknownSpecialist):
        engine.specialist_dropped("zed")


def test_drop_of_an_away_specialist_still_reroutes_their_chats(
    engine: Engine, staff: Staff
) -> None:
    staff("ana")
    connect(engine, "r1")
    engine.set_presence("ana", Presence.AWAY)
    staff("bob")
    effects = engine.specialist_dropped("ana")
    assert StateChanged("r1", CONNECTED, WAITING, None, "ana") in effects
    assert offers(effects) == [("r1", "bob")]


def test_engine_settings_are_checked(clock: FakeClock) -> None:
    with pytest.raises(InvalidArgument):
        Engine(clock, offer_timeout=0)
    with pytest.raises(InvalidArgument):
        Engine(clock, customer_grace=-1)


def test_values_outside_the_enums_are_invalid_arguments(engine: Engine, staff: Staff) -> None:
    staff("ana", available=False)
    engine.submit("r1", "pay")
    with pytest.raises(InvalidArgument):
        engine.set_presence("ana", "asleep")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        engine.end_dead("r1", "bored")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        engine.restore_request("r2", "pay", "lost", enqueued_at=0.0)  # type: ignore[arg-type]
    assert engine.set_presence("ana", "away") == [  # type: ignore[arg-type]
        PresenceChanged("ana", Presence.AWAY, 0, 1)
    ]
    assert engine.request("r1").state is WAITING
