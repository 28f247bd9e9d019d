"""A restart loses nothing: promised callbacks, booked slots, rules, queues, shifts."""

from __future__ import annotations

from typing import Any

from support import ORIGIN, START, World
from tapline.actions import customer

Frame = dict[str, Any]
HOUR = 3600.0
SLOT = 900.0


def _ms(t: float) -> int:
    return int(t * 1000)


def _supervisor(world: World) -> None:
    world.add_specialist("sofia", "Sofia Lind", skills={"admin": 1}, supervisor=True)


def _shift(world: World, who: str, start: float, end: float) -> None:
    body = {"specialist_id": world.specialists[who].id, "start": _ms(start), "end": _ms(end)}
    assert world.api("POST", "/admin/shifts", "sofia", body).status_code == 201


def _slots(world: World, created: Frame) -> dict[int, int]:
    response = world.client.get(
        f"/api/v1/slots?app={world.key}&request_id={created['request_id']}",
        headers={"Origin": ORIGIN, "Authorization": f"Bearer {created['customer_token']}"},
    )
    return {s["start"]: s["left"] for s in response.json()["slots"]}


def test_a_promised_in_queue_callback_survives_a_restart(world: World) -> None:
    with world.desk("ana") as desk:
        busy = [world.connect(desk, f"busy{i}")[0]["request_id"] for i in range(2)]
        created = world.ask("c1")
        rid = created["request_id"]
        with world.widget(created) as widget:
            widget.send({"type": "callback", "id": "cb1"})
            promised = widget.ack("cb1")["result"]["callback"]
            seq = widget.until("callback")["seq"]
    world.restart()
    assert world.rt.callbacks.get(rid).state == "promised"
    # The customer is still away: a callback has no grace time, after a restart neither.
    world.beat(world.settings.customer_grace + 1)
    assert world.rt.engine.request(rid).state == "waiting"
    for request_id in busy:  # those customers were away too: abandoned or lost
        assert world.rt.engine.request(request_id).state == "dead_end"
    with world.desk("ana") as desk:
        offer = desk.until("offer", **{"offer.request_id": rid})["offer"]
        assert offer["callback"] == promised
        desk.send({"type": "accept", "id": "acc", "request_id": rid})
        desk.ack("acc")
        desk.until("callback", request_id=rid, **{"callback.state": "ringing"})
        with world.widget(created, last_seq=seq) as widget:  # while Ana is there
            widget.until("callback.ring", attempt=1)
            widget.send({"type": "answer", "id": "yes", "accept": True})
            assert widget.ack("yes")["result"]["callback"]["kept"] is True
    [row] = world.rows("callbacks")
    assert (row["state"], row["kept"]) == ("answered", True)


def test_a_booked_slot_survives_a_restart(world: World) -> None:
    _supervisor(world)
    _shift(world, "ana", START, START + 8 * HOUR)  # one callback per slot
    slot = START + HOUR
    booked = world.ask("c1")
    rid = booked["request_id"]
    with world.widget(booked) as widget:
        widget.send({"type": "schedule", "id": "s1", "slot": _ms(slot)})
        widget.ack("s1")
        seq = widget.until("request.state", state="scheduled")["seq"]
    world.restart()
    other = world.ask("c2")
    assert _ms(slot) not in _slots(world, other)  # still full
    with world.widget(other) as widget:
        widget.send({"type": "schedule", "id": "s1", "slot": _ms(slot)})
        assert widget.error("slot_full")["ref"] == "s1"
    assert next(r for r in world.rows("requests") if r["id"] == rid)["state"] == "scheduled"
    assert world.rt.queue_counts[world.rows("queues")[0]["id"]] == 1  # only the other one
    # Near the slot it rejoins ahead of the walk-in, and rings at its start.
    world.call(customer.customer_presence, world.rt, other["request_id"], True)
    world.beat(slot - 300 - world.clock.now())
    assert world.rt.engine.position(rid) == 1
    with world.desk("ana") as desk:
        desk.until("offer", **{"offer.request_id": rid})
        desk.send({"type": "accept", "id": "acc", "request_id": rid})
        desk.ack("acc")
        world.advance(slot - world.clock.now())
        desk.until("callback", request_id=rid, **{"callback.state": "ringing"})
    with world.widget(booked, last_seq=seq) as widget:
        widget.until("callback.ring")


def test_a_rescheduled_slot_survives_a_restart(world: World) -> None:
    _supervisor(world)
    _shift(world, "ana", START, START + 8 * HOUR)
    booked = world.ask("c1")
    rid = booked["request_id"]
    with world.widget(booked) as widget:
        widget.send({"type": "schedule", "id": "s1", "slot": _ms(START + HOUR)})
        widget.ack("s1")
        widget.send({"type": "reschedule", "id": "r1", "slot": _ms(START + 2 * HOUR)})
        widget.ack("r1")
    world.restart()
    assert world.rt.callbacks.get(rid).window_start == START + 2 * HOUR
    left = _slots(world, world.ask("c2"))
    assert left[_ms(START + HOUR)] == 1
    assert _ms(START + 2 * HOUR) not in left


def test_a_ring_under_way_rings_again_after_a_restart(world: World) -> None:
    world.settings.specialist_grace = 60.0  # on the engine clock: back in time
    with world.desk("ana") as desk:
        busy = world.connect(desk, "busy")[0]["request_id"]
        world.connect(desk, "busy2")
        created = world.ask("c1")
        rid = created["request_id"]
        with world.widget(created) as widget:
            widget.send({"type": "callback", "id": "cb1"})
            widget.ack("cb1")
        desk.send({"type": "resolve", "id": "r", "request_id": busy, "disposition": "resolved"})
        desk.ack("r")
        desk.until("offer", **{"offer.request_id": rid})
        desk.send({"type": "accept", "id": "acc", "request_id": rid})
        desk.ack("acc")
        seq = desk.until("callback", request_id=rid, **{"callback.state": "ringing"})["seq"]
    world.restart()
    # Ana's desk comes back: the request is still hers, and the customer is rung again.
    with world.desk("ana", last_seq=seq) as desk:
        assert world.rt.engine.request(rid).state == "connected"
        world.beat()
        again = desk.until("callback", request_id=rid, **{"callback.state": "ringing"})
        assert again["callback"]["attempts"] == 2
        with world.widget(created) as widget:
            widget.until("callback.ring", attempt=2)
            widget.send({"type": "answer", "id": "yes", "accept": True})
            widget.ack("yes")
        desk.until("callback.ring_ended", request_id=rid, reason="answered")


def test_configuration_survives_a_restart(world: World) -> None:
    _supervisor(world)
    response = world.api(
        "POST",
        "/admin/queues",
        "sofia",
        {"name": "Payments", "skill": "payments", "priority": 4, "widen_after": [60, 120]},
    )
    payments = response.json()["id"]
    rules = (
        '[[rule]]\nwhen = \'step == "payment"\'\nqueue = "Payments"\n'
        'authority = ["refund_limit >= context.data.credits"]\n\n[default]\nqueue = "General"\n'
    )
    assert world.api("PUT", "/admin/rules", "sofia", {"toml": rules}).status_code == 200
    ana = world.specialists["ana"].id
    world.api(
        "PATCH",
        f"/admin/specialists/{ana}",
        "sofia",
        {"skills": {"payments": 2}, "authority": {"refund_limit": 300}, "capacity": {"voice": 1}},
    )
    _shift(world, "ana", START, START + HOUR)
    world.restart()
    policy = world.rt.engine.queue_policy(payments)
    assert (policy.priority, policy.widen_after, policy.anyone_after) == (4, 60, 120)
    state = world.rt.engine.specialist(ana)
    assert (state.skills, state.authority) == ({"payments": 2}, {"refund_limit": 300})
    assert world.rt.staffing.on_shift(ana, START + 1)
    created = world.ask("c1", context={"step": "payment", "data": {"credits": 200}})
    assert created["queue"]["name"] == "Payments"
    with world.desk("ana") as desk:
        desk.until("offer", **{"offer.request_id": created["request_id"]})
