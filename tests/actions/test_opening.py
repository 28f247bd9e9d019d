"""A closed queue opens: requests made while it was closed join its line in tap order."""

from __future__ import annotations

from support import START, World
from tapline.actions import customer

HOUR = 3600.0


def _closed_until_nine(world: World) -> None:
    """Friday 08:00 UTC; the queue opens at 09:00 with Ana on shift."""
    if "sofia" not in world.specialists:
        world.add_specialist("sofia", "Sofia Lind", skills={"admin": 1}, supervisor=True)
    queue_id = world.rows("queues")[0]["id"]
    patched = world.api(
        "PATCH", f"/admin/queues/{queue_id}", "sofia", {"hours": {"fri": [["09:00", "17:00"]]}}
    )
    assert patched.status_code == 200, patched.text
    body = {"specialist_id": world.specialists["ana"].id}
    body |= {"start": int(START * 1000), "end": int((START + 8 * HOUR) * 1000)}
    assert world.api("POST", "/admin/shifts", "sofia", body).status_code == 201


def _state(world: World, request_id: str) -> str:
    [row] = [r for r in world.rows("requests") if r["id"] == request_id]
    state: str = row["state"]
    return state


def test_requests_made_while_closed_join_the_line_at_opening_in_tap_order(world: World) -> None:
    _closed_until_nine(world)
    away = world.ask("away")
    here = world.ask("here")
    assert (away["state"], here["state"]) == ("new", "new")
    assert away["options"]["open"] is False
    with world.widget(here) as widget:
        world.call(customer.customer_presence, world.rt, here["request_id"], True)
        world.beat(30 * 60)  # 08:30: still closed
        assert _state(world, away["request_id"]) == "new"
        assert world.rows("callbacks") == []
        world.beat(30 * 60 + 10)  # past 09:00
        # The one who was here waits as usual and is told so.
        widget.until("request.state", state="waiting")
        estimate = widget.until("estimate")
        assert estimate["position"] == 2  # the earlier tap is ahead
    # The one who was away keeps their place as a callback, with a promise window.
    assert _state(world, away["request_id"]) == "waiting"
    [callback] = world.rows("callbacks")
    assert (callback["request_id"], callback["kind"], callback["state"]) == (
        away["request_id"],
        "in_queue",
        "promised",
    )
    assert callback["window_end"] > callback["window_start"] >= START + HOUR
    told = [m for m in world.rows("messages") if m["request_id"] == away["request_id"]]
    assert any(m["sender"] == "system" and "open now" in m["body"] for m in told)
    # Ana comes online: the earlier tap is offered first.
    with world.desk("ana") as desk:
        offer = desk.until("offer")
        assert offer["offer"]["request_id"] == away["request_id"]
        assert offer["offer"]["callback"]["kind"] == "in_queue"


def test_a_booked_or_cancelled_request_does_not_join_at_opening(world: World) -> None:
    _closed_until_nine(world)
    booked = world.ask("booked")
    cancelled = world.ask("cancelled")
    with world.widget(booked) as widget:
        widget.send({"type": "schedule", "id": "s1", "slot": int((START + 3 * HOUR) * 1000)})
        assert widget.ack("s1")["result"]["callback"]["kind"] == "scheduled"
    world.call(customer.cancel, world.rt, cancelled["request_id"])
    world.beat(HOUR + 10)
    assert _state(world, booked["request_id"]) == "scheduled"
    assert _state(world, cancelled["request_id"]) == "cancelled"
    assert [c["request_id"] for c in world.rows("callbacks")] == [booked["request_id"]]


def _offered_today(world: World) -> int:
    response = world.api("GET", "/wallboard", "sofia")
    assert response.status_code == 200, response.text
    offered: int = response.json()["queues"][0]["today"]["offered"]
    return offered


def test_a_queue_that_stays_closed_keeps_its_requests_new(world: World) -> None:
    _closed_until_nine(world)
    created = world.ask()
    world.beat(50 * 60)
    assert _state(world, created["request_id"]) == "new"
    assert world.rt.engine.in_line() == []
    # The wallboard counts it once it reaches the queue, not before.
    assert _offered_today(world) == 0
    world.beat(10 * 60 + 10)
    assert _state(world, created["request_id"]) == "waiting"
    assert _offered_today(world) == 1
