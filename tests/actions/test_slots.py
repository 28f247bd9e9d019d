"""Scheduled callbacks: the slots offered, booking, its errors, moving and cancelling, the
slot's time coming, and a queue that is closed."""

from __future__ import annotations

from typing import Any

import pytest

from support import ORIGIN, START, Socket, World
from tapline.actions import customer

Frame = dict[str, Any]
SLOT = 900.0
HOUR = 3600.0
LEAD = 300.0  # a booked request rejoins its queue this long before its slot


def _ms(t: float) -> int:
    return int(t * 1000)


def _shift(world: World, who: str, start: float, end: float) -> None:
    """A dated shift for `who`, through the supervisor API."""
    if "sofia" not in world.specialists:
        world.add_specialist("sofia", "Sofia Lind", skills={"admin": 1}, supervisor=True)
    body = {"specialist_id": world.specialists[who].id, "start": _ms(start), "end": _ms(end)}
    response = world.api("POST", "/admin/shifts", "sofia", body)
    assert response.status_code == 201, response.text


def _hours(world: World, hours: dict[str, Any] | None, timezone: str = "UTC") -> None:
    queue = world.rows("queues")[0]["id"]
    body = {"hours": hours, "timezone": timezone}
    response = world.api("PATCH", f"/admin/queues/{queue}", "sofia", body)
    assert response.status_code == 200, response.text


def _slots(world: World, created: Frame, token: str | None = None) -> Any:
    return world.client.get(
        f"/api/v1/slots?app={world.key}&request_id={created['request_id']}",
        headers={
            "Origin": ORIGIN,
            "Authorization": f"Bearer {token or created['customer_token']}",
        },
    )


def _staffed(world: World, hours: float = 8, people: tuple[str, ...] = ("ana", "ben")) -> None:
    for who in people:
        _shift(world, who, START, START + hours * HOUR)


def _waiting(desk: Socket, count: int) -> None:
    """Read the desk's `queues` signals until the queue's waiting count is `count`."""
    while desk.until("queues")["queues"][0]["waiting"] != count:
        pass


def _schedule(widget: Socket, slot: float, frame_id: str = "s1") -> Frame:
    widget.send({"type": "schedule", "id": frame_id, "slot": _ms(slot)})
    callback: Frame = widget.ack(frame_id)["result"]["callback"]
    return callback


# -- The slots offered ---------------------------------------------------------------------


def test_no_shifts_no_slots(world: World) -> None:
    created = world.ask()
    assert _slots(world, created).json() == {"tz": "UTC", "slots": []}
    assert created["options"]["schedule"] is False


def test_slots_are_inside_hours_and_staffed(world: World) -> None:
    # Friday 08:00 UTC. Ana works 08:00-16:00, Ben 08:00-10:00; the queue opens 08:00-12:00.
    _shift(world, "ana", START, START + 8 * HOUR)
    _shift(world, "ben", START, START + 2 * HOUR)
    _hours(world, {"fri": [["08:00", "12:00"]]})
    created = world.ask()
    response = _slots(world, created)
    assert response.status_code == 200
    body = response.json()
    assert body["tz"] == "UTC"
    slots = body["slots"]
    # From 15 minutes ahead to 12:00; 2 people until 10:00 (3 each), then Ana alone (1).
    first = START + SLOT
    assert [s["start"] for s in slots] == [_ms(first + i * SLOT) for i in range(15)]
    assert all(s["end"] - s["start"] == _ms(SLOT) for s in slots)
    assert [s["left"] for s in slots] == [3] * 7 + [1] * 8
    assert created["options"]["schedule"] is True


def test_slots_follow_a_time_zone(world: World) -> None:
    _shift(world, "ana", START, START + 3 * 24 * HOUR)
    # 09:00-10:00 in New York is 14:00-15:00 UTC in January.
    _hours(world, {day: [["09:00", "10:00"]] for day in ("fri", "sat")}, "America/New_York")
    created = world.ask()
    body = _slots(world, created).json()
    assert body["tz"] == "America/New_York"
    starts = [s["start"] / 1000 for s in body["slots"]]
    friday = START + 6 * HOUR
    saturday = friday + 24 * HOUR
    assert starts == [friday + i * SLOT for i in range(4)] + [saturday + i * SLOT for i in range(4)]


def test_slots_need_the_requests_token(world: World) -> None:
    _staffed(world)
    mine, other = world.ask("c1"), world.ask("c2")
    assert _slots(world, mine, other["customer_token"]).status_code == 401
    assert _slots(world, mine, "tlc_nope").status_code == 401
    response = world.client.get(
        f"/api/v1/slots?app=pk_nope&request_id={mine['request_id']}",
        headers={"Origin": ORIGIN, "Authorization": f"Bearer {mine['customer_token']}"},
    )
    assert response.status_code == 403


# -- Booking -------------------------------------------------------------------------------


def test_booking_a_slot_takes_the_request_out_of_the_queue(world: World) -> None:
    _staffed(world)
    slot = START + 2 * HOUR
    with world.desk("ana") as desk:
        desk.send({"type": "presence", "id": "p1", "status": "away"})
        desk.ack("p1")
        created = world.ask("c1")
        world.ask("c2")
        rid = created["request_id"]
        _waiting(desk, 2)
        with world.widget(created) as widget:
            callback = _schedule(widget, slot)
            assert callback == {
                "id": rid,
                "kind": "scheduled",
                "state": "promised",
                "window_start": _ms(slot),
                "window_end": _ms(slot + SLOT),
                "slot_start": _ms(slot),
                "attempts": 0,
                "kept": None,
            }
            assert widget.until("request.state", state="scheduled")["request_id"] == rid
            assert widget.until("callback")["callback"] == callback
            # The socket goes on.
            widget.send({"type": "message", "id": "m1", "body": "Talk at ten, then"})
            widget.ack("m1")
        _waiting(desk, 1)
        # Gone from the app past the grace time: nothing ends it.
        world.advance(world.settings.customer_grace + 1)
        world.beat()
    [row] = world.rows("callbacks")
    assert (row["kind"], row["state"], row["slot_start"]) == ("scheduled", "promised", slot)
    request = next(r for r in world.rows("requests") if r["id"] == rid)
    assert request["state"] == "scheduled"
    slots = _slots(world, world.ask("c3")).json()["slots"]
    assert next(s for s in slots if s["start"] == _ms(slot))["left"] == 2


@pytest.mark.parametrize(
    ("slot", "code"),
    [
        (START - SLOT, "slot_past"),  # started already
        (START, "slot_past"),  # starting now
        (START + SLOT / 3, "slot_closed"),  # not a slot's start
        (START + 10 * HOUR, "slot_closed"),  # nobody on shift
        (START + 2 * 24 * HOUR, "slot_closed"),  # outside hours
        (START + 9 * 24 * HOUR, "slot_closed"),  # beyond the horizon
    ],
)
def test_slots_that_cannot_be_booked(world: World, slot: float, code: str) -> None:
    _staffed(world)
    _hours(world, {"fri": [["08:00", "17:00"]]})
    created = world.ask()
    with world.widget(created) as widget:
        widget.send({"type": "schedule", "id": "s1", "slot": _ms(slot)})
        error = widget.error(code)
        assert error["ref"] == "s1" and error["message"]
        widget.send({"type": "schedule", "id": "s2", "slot": "tomorrow"})
        assert widget.error("bad_frame")["ref"] == "s2"
        widget.send({"type": "ping"})
        widget.until("pong")
        _schedule(widget, START + HOUR, "s3")  # a good one still books
    assert [r["slot_start"] for r in world.rows("callbacks")] == [START + HOUR]


def test_a_full_slot_refuses_the_next_booking(world: World) -> None:
    """One specialist on shift: one callback per slot. The booked slot never exceeds it."""
    _shift(world, "ana", START, START + 8 * HOUR)
    slot = START + HOUR
    first, second = world.ask("c1"), world.ask("c2")
    with world.widget(first) as widget:
        _schedule(widget, slot)
    with world.widget(second) as widget:
        widget.send({"type": "schedule", "id": "s1", "slot": _ms(slot)})
        assert widget.error("slot_full")["ref"] == "s1"
        widget.send({"type": "ping"})
        widget.until("pong")
        assert _slots(world, second).json()["slots"][0]["start"] != _ms(slot)
        _schedule(widget, slot + SLOT, "s2")
    assert sorted(r["slot_start"] for r in world.rows("callbacks")) == [slot, slot + SLOT]


def test_booking_twice_is_refused_until_rescheduled(world: World) -> None:
    _staffed(world)
    created = world.ask()
    with world.widget(created) as widget:
        _schedule(widget, START + HOUR)
        widget.send({"type": "schedule", "id": "s2", "slot": _ms(START + 2 * HOUR)})
        assert widget.error("invalid_state")["ref"] == "s2"
        widget.send({"type": "callback", "id": "cb"})
        assert widget.error("invalid_state")["ref"] == "cb"


def test_reschedule_moves_the_booking(world: World) -> None:
    _shift(world, "ana", START, START + 8 * HOUR)  # one per slot
    created = world.ask()
    rid = created["request_id"]
    with world.widget(created) as widget:
        widget.send({"type": "reschedule", "id": "r0", "slot": _ms(START + HOUR)})
        assert widget.error("not_found")["ref"] == "r0"
        _schedule(widget, START + HOUR)
        widget.send({"type": "reschedule", "id": "r1", "slot": _ms(START + 3 * HOUR)})
        moved = widget.ack("r1")["result"]["callback"]
        assert (moved["state"], moved["slot_start"], moved["window_end"]) == (
            "promised",
            _ms(START + 3 * HOUR),
            _ms(START + 3 * HOUR + SLOT),
        )
        widget.until("callback", **{"callback.slot_start": _ms(START + 3 * HOUR)})
        widget.send({"type": "reschedule", "id": "r2", "slot": _ms(START - HOUR)})
        assert widget.error("slot_past")["ref"] == "r2"
    # The old slot is free again, the new one full.
    slots = {s["start"]: s["left"] for s in _slots(world, world.ask("c2")).json()["slots"]}
    assert slots[_ms(START + HOUR)] == 1
    assert _ms(START + 3 * HOUR) not in slots
    rows = sorted(world.rows("callbacks"), key=lambda r: r["slot_start"])
    assert [(r["slot_start"], r["state"]) for r in rows] == [
        (START + HOUR, "rescheduled"),
        (START + 3 * HOUR, "promised"),
    ]
    assert all(r["request_id"] == rid for r in rows)


def test_cancel_callback_frees_the_slot_and_rejoins_the_queue(world: World) -> None:
    _shift(world, "ana", START, START + 8 * HOUR)
    created = world.ask()
    rid = created["request_id"]
    with world.widget(created) as widget:
        _schedule(widget, START + HOUR)
        widget.until("request.state", state="scheduled")
        widget.send({"type": "cancel_callback", "id": "x1"})
        assert widget.ack("x1")["result"] == {"state": "waiting"}
        widget.until("callback", **{"callback.state": "cancelled"})
        widget.until("request.state", state="waiting")
        assert world.rt.engine.position(rid) == 1
    assert [r["state"] for r in world.rows("callbacks")] == ["cancelled"]
    slots = _slots(world, created).json()["slots"]
    assert slots[0] == {"start": _ms(START + SLOT), "end": _ms(START + 2 * SLOT), "left": 1}
    assert any(s["start"] == _ms(START + HOUR) for s in slots)
    # A plain wait again: the grace applies once the customer is gone.
    world.advance(world.settings.customer_grace + 1)
    world.settle(lambda: world.rt.engine.request(rid).state == "dead_end")


def test_cancelling_a_scheduled_request_ends_it(world: World) -> None:
    _shift(world, "ana", START, START + 8 * HOUR)
    created = world.ask()
    with world.widget(created) as widget:
        _schedule(widget, START + HOUR)
        widget.send({"type": "cancel", "id": "x1"})
        assert widget.ack("x1")["result"] == {"state": "cancelled"}
        widget.until("request.state", state="cancelled")
        widget.until("callback", **{"callback.state": "cancelled"})
    assert [r["state"] for r in world.rows("callbacks")] == ["cancelled"]
    assert world.rows("requests")[0]["state"] == "cancelled"
    assert _slots(world, world.ask("c2")).json()["slots"][3]["start"] == _ms(START + HOUR)
    world.beat(2 * HOUR)  # the slot comes and goes: nothing rejoins
    assert world.rows("requests")[0]["state"] == "cancelled"


# -- The slot's time -----------------------------------------------------------------------


def test_near_the_slot_the_request_goes_first_and_rings_at_its_start(world: World) -> None:
    _staffed(world)
    slot = START + HOUR
    with world.desk("ana") as desk:
        desk.send({"type": "presence", "id": "p1", "status": "away"})
        desk.ack("p1")
        booked = world.ask("c1")
        rid = booked["request_id"]
        with world.widget(booked) as widget:
            _schedule(widget, slot)
            seq = widget.until("callback")["seq"]
        # Walk-ins wait meanwhile; they were there first.
        walk_in = world.ask("c2")
        world.call(customer.customer_presence, world.rt, walk_in["request_id"], True)
        world.beat(slot - LEAD - 1 - world.clock.now())
        assert next(r for r in world.rows("requests") if r["id"] == rid)["state"] == "scheduled"
        world.beat(1)
        assert next(r for r in world.rows("requests") if r["id"] == rid)["state"] == "waiting"
        assert world.rt.engine.position(rid) == 1
        assert world.rt.engine.position(walk_in["request_id"]) == 2

        desk.send({"type": "presence", "id": "p2", "status": "available"})
        desk.ack("p2")
        offer = desk.until("offer")["offer"]
        assert offer["request_id"] == rid
        assert offer["callback"]["kind"] == "scheduled"
        desk.send({"type": "accept", "id": "acc", "request_id": rid})
        desk.ack("acc")
        desk.until("request.assigned", **{"request.id": rid})
        # Reserved ahead: no ring before the slot starts.
        world.beat(slot - 1 - world.clock.now())
        assert world.rows("callbacks")[0]["state"] == "promised"
        world.advance(1)
        desk.until("callback", request_id=rid, **{"callback.state": "ringing"})
        # Answered while Ana is there (once she has gone, the ring stops).
        with world.widget(booked, last_seq=seq) as widget:
            ring = widget.until("callback.ring")
            assert ring["specialist"]["name"] == "Ana Ferreira"
            assert ring["expires_at"] == _ms(slot + world.settings.ring_timeout)
            widget.send({"type": "answer", "id": "yes", "accept": True})
            assert widget.ack("yes")["result"]["callback"]["kept"] is True
    [row] = world.rows("callbacks")
    assert (row["state"], row["kept"], row["first_ring_at"]) == ("answered", True, slot)
    # Once the slot is over the book forgets the booking (it would otherwise grow forever).
    book = world.rt.slot_books[booked["queue"]["id"]]
    assert [b.request_id for b in book.bookings()] == [rid]
    world.beat(slot + 15 * 60 - world.clock.now())
    assert book.bookings() == []


def test_a_booked_slot_with_nobody_free_rings_late_and_the_promise_is_broken(
    world: World,
) -> None:
    _staffed(world)
    slot = START + HOUR
    booked = world.ask("c1")
    with world.widget(booked) as widget:
        _schedule(widget, slot)
    world.beat(slot - world.clock.now())
    world.beat(SLOT)
    [row] = world.rows("callbacks")
    assert row["kept"] is False
    with world.desk("ana") as desk:
        desk.until("offer", **{"offer.request_id": booked["request_id"]})


# -- A closed queue ------------------------------------------------------------------------


def test_a_closed_queue_offers_slots_and_never_a_dead_end(world: World) -> None:
    # Friday 08:00 UTC; the queue opens on Mondays; Ana works Monday morning.
    monday = START + 3 * 24 * HOUR
    _shift(world, "ana", monday, monday + 4 * HOUR)
    _hours(world, {"mon": [["08:00", "12:00"]]})
    with world.desk("ana") as desk:
        created = world.ask()
        rid = created["request_id"]
        assert created["state"] == "new"
        assert created["estimate"] is None
        assert created["options"] == {
            "open": False,
            "wait": False,
            "callback": False,
            "schedule": False,  # Monday is beyond the 3-day horizon from Friday 08:00
            "next_open": _ms(monday),
            "reason": "closed",
        }
        desk.send({"type": "ping"})
        desk.until("pong")
        assert world.rows("offers") == []
        assert world.rt.queue_counts.get(world.rows("queues")[0]["id"], 0) == 0
    world.advance(2 * 24 * HOUR)  # Sunday 08:00: Monday's slots are within reach
    again = world.ask("c2")
    assert again["state"] == "new"
    assert again["options"]["schedule"] is True
    slots = _slots(world, again).json()["slots"]
    assert slots[0]["start"] == _ms(monday)
    with world.widget(again) as widget:
        widget.send({"type": "callback", "id": "cb"})
        assert widget.error("invalid_state")["ref"] == "cb"
        _schedule(widget, monday + SLOT)
        widget.until("request.state", state="scheduled")
    # The older request is still there to schedule; nothing ended it.
    assert next(r for r in world.rows("requests") if r["id"] == rid)["state"] == "new"


def test_a_connected_request_cannot_book_a_slot(world: World) -> None:
    _staffed(world)
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        with world.widget(created) as widget:
            widget.send({"type": "schedule", "id": "s1", "slot": _ms(START + HOUR)})
            assert widget.error("invalid_state")["ref"] == "s1"
            widget.send({"type": "message", "id": "m1", "body": "still talking"})
            widget.ack("m1")
        assert world.rt.engine.request(created["request_id"]).state == "connected"
        # Read while the desk is open: once it closes, its requests are re-routed.
        assert world.rows("callbacks") == []
        assert world.rows("requests")[0]["state"] == "connected"
        assert _slots(world, created).json()["slots"][3]["left"] == 3


def test_an_offered_request_books_and_its_offer_is_withdrawn(world: World) -> None:
    _staffed(world)
    with world.desk("ana") as desk:
        created = world.ask()
        rid = created["request_id"]
        desk.until("offer", **{"offer.request_id": rid})
        with world.widget(created) as widget:
            _schedule(widget, START + HOUR)
        withdrawn = desk.until("offer.withdrawn", request_id=rid)
        assert withdrawn["reason"] == "cancelled"
        desk.send({"type": "accept", "id": "late", "request_id": rid})
        assert desk.error("not_found")["ref"] == "late"
    assert world.rows("requests")[0]["state"] == "scheduled"


def test_rescheduling_after_rejoining_sets_the_request_aside_again(world: World) -> None:
    _staffed(world)
    slot = START + HOUR
    booked = world.ask()
    rid = booked["request_id"]
    with world.widget(booked) as widget:
        _schedule(widget, slot)
        world.beat(slot - LEAD - world.clock.now())
        widget.until("request.state", state="waiting")
        widget.send({"type": "reschedule", "id": "r1", "slot": _ms(slot + 2 * HOUR)})
        widget.ack("r1")
        states = [f["state"] for f in widget.events("request.state")]
        while states[-1] != "scheduled":
            states.append(widget.until("request.state")["state"])
        assert states == ["waiting", "scheduled", "waiting", "scheduled"]
    assert world.rows("requests")[0]["state"] == "scheduled"
    with world.desk("ana") as desk:
        desk.send({"type": "ping"})
        desk.until("pong")
        world.settle()
        assert world.rows("offers") == []
    world.beat(2 * HOUR)
    assert world.rows("requests")[0]["state"] == "waiting"
    assert world.rt.engine.position(rid) == 1


# -- Staffing or hours change under a booking ----------------------------------------------


def _shift_ids(world: World) -> list[str]:
    return [s["id"] for s in world.api("GET", "/admin/shifts", "sofia").json()["shifts"]]


def test_a_booking_whose_slot_loses_its_staff_moves_and_the_customer_is_told(
    world: World,
) -> None:
    _shift(world, "ana", START, START + 2 * HOUR)  # one per slot, until 10:00
    [early] = _shift_ids(world)
    _shift(world, "ben", START + 4 * HOUR, START + 6 * HOUR)  # 12:00-14:00
    booked = world.ask()
    rid = booked["request_id"]
    with world.widget(booked) as widget:
        _schedule(widget, START + HOUR)
        assert world.api("DELETE", f"/admin/shifts/{early}", "sofia").status_code == 204
        moved = widget.until("callback", **{"callback.slot_start": _ms(START + 4 * HOUR)})
        assert moved["callback"]["state"] == "promised"
        note = widget.until("message", **{"message.sender": "system"})["message"]["body"]
        assert "no longer available" in note and "12:00" in note
    rows = sorted(world.rows("callbacks"), key=lambda r: r["slot_start"])
    assert [(r["slot_start"], r["state"]) for r in rows] == [
        (START + HOUR, "rescheduled"),
        (START + 4 * HOUR, "promised"),
    ]
    # The new slot holds it: one place, now taken.
    slots = {s["start"]: s["left"] for s in _slots(world, world.ask("c2")).json()["slots"]}
    assert _ms(START + 4 * HOUR) not in slots
    assert world.rows("requests")[0]["state"] == "scheduled"
    assert world.rt.callbacks.get(rid).window_start == START + 4 * HOUR


def test_a_booking_with_nowhere_to_go_waits_in_the_queue_and_is_told(world: World) -> None:
    _shift(world, "ana", START, START + 2 * HOUR)
    [only] = _shift_ids(world)
    booked = world.ask()
    rid = booked["request_id"]
    with world.widget(booked) as widget:
        _schedule(widget, START + HOUR)
        widget.until("request.state", state="scheduled")
        assert world.api("DELETE", f"/admin/shifts/{only}", "sofia").status_code == 204
        widget.until("callback", **{"callback.state": "cancelled"})
        widget.until("request.state", state="waiting")
        note = widget.until("message", **{"message.sender": "system"})["message"]["body"]
        assert "no longer available" in note
    assert world.rt.engine.position(rid) == 1
    assert [r["state"] for r in world.rows("callbacks")] == ["cancelled"]


def test_new_hours_move_a_booking_outside_them(world: World) -> None:
    _shift(world, "ana", START, START + 8 * HOUR)
    booked = world.ask()
    with world.widget(booked) as widget:
        _schedule(widget, START + 6 * HOUR)  # 14:00
        _hours(world, {"fri": [["08:00", "12:00"]]})
        moved = widget.until(
            "callback", **{"callback.state": "promised", "callback.kind": "scheduled"}
        )
        while moved["callback"]["slot_start"] == _ms(START + 6 * HOUR):
            moved = widget.until("callback")
        assert moved["callback"]["slot_start"] < _ms(START + 4 * HOUR)


def test_booked_slots_never_exceed_their_capacity(world: World) -> None:
    """Many customers book, move and cancel while shifts come and go: no slot ever holds
    more open callbacks than it can take."""
    import random

    rng = random.Random(7)
    _shift(world, "ana", START, START + 6 * HOUR)
    _shift(world, "ben", START + HOUR, START + 3 * HOUR)
    requests = [world.ask(f"c{i}") for i in range(8)]
    candidates = [START + HOUR + i * SLOT for i in range(6)]
    for step in range(40):
        created = rng.choice(requests)
        action = rng.choice(["schedule", "reschedule", "cancel_callback", "shift"])
        if action == "shift":
            ids = _shift_ids(world)
            if len(ids) > 1 and rng.random() < 0.5:
                assert world.api("DELETE", f"/admin/shifts/{ids[-1]}", "sofia").status_code == 204
            else:
                who = rng.choice(["ana", "ben"])
                start = START + rng.choice([0, 1, 2]) * HOUR
                _shift(world, who, start, start + 2 * HOUR)
        else:
            with world.widget(created) as widget:
                frame = {"type": action, "id": f"f{step}", "slot": _ms(rng.choice(candidates))}
                widget.send(frame)
                while True:
                    reply = widget.next()
                    if reply.get("id") == f"f{step}" or reply.get("ref") == f"f{step}":
                        break
        book = world.rt.slot_books[world.rows("queues")[0]["id"]]
        open_rows = [
            r
            for r in world.rows("callbacks")
            if r["kind"] == "scheduled" and r["state"] in ("promised", "ringing", "retrying")
        ]
        for slot in {r["slot_start"] for r in open_rows}:
            held = sum(1 for r in open_rows if r["slot_start"] == slot)
            assert held <= book.capacity(slot), (step, slot, held, book.capacity(slot))
            assert held == book.booked(slot)
    assert any(r["state"] == "promised" for r in world.rows("callbacks"))
