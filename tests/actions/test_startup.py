"""A restart loses nothing acknowledged: requests come back from the database, the truth."""

from __future__ import annotations

from support import World


def test_a_waiting_request_is_offered_again_after_a_restart(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        widget.send({"type": "message", "id": "m1", "body": "still there?"})
        widget.ack("m1")
        seq = widget.until("message", **{"message.client_id": "m1"})["seq"]
    world.restart()
    assert world.rows("requests")[0]["state"] == "waiting"
    with world.desk("ana") as desk:
        offer = desk.until("offer")["offer"]
        assert offer["request_id"] == created["request_id"]
        desk.send({"type": "accept", "id": "a1", "request_id": created["request_id"]})
        desk.ack("a1")
        detail = desk.until("request.assigned")["request"]
        assert [m["client_id"] for m in detail["messages"]][-1] == "m1"
        with world.widget(created, last_seq=seq) as widget:
            assert widget.seen[0]["state"] == "connected"
            widget.until("request.state", state="connected")
            assert widget.events()[0]["seq"] == seq + 1


def test_an_offer_is_void_after_a_restart_and_made_again(world: World) -> None:
    world.settings.specialist_grace = 60.0  # on the engine clock: no drop yet
    with world.desk("ana") as desk:
        created = world.ask()
        desk.until("offer")
    assert world.rows("requests")[0]["state"] == "offered"
    world.restart()
    [row] = world.rows("requests")
    assert row["state"] == "waiting"
    assert [offer["outcome"] for offer in world.rows("offers")] == ["restart"]
    with world.desk("ben") as desk:
        desk.until("offer", **{"offer.request_id": created["request_id"]})


def test_a_connected_request_stays_with_a_specialist_who_returns(world: World) -> None:
    world.settings.specialist_grace = 60.0  # on the engine clock: back in time
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        rid = created["request_id"]
        with world.widget(created) as widget:
            widget.send({"type": "message", "id": "m1", "body": "before the restart"})
            widget.ack("m1")
            seen = widget.until("message", **{"message.client_id": "m1"})["seq"]
        desk_seen = desk.until("message", **{"message.client_id": "m1"})["seq"]
    world.restart()
    assert world.rows("requests")[0]["state"] == "connected"
    with world.desk("ana", last_seq=desk_seen) as desk:
        snapshot = world.client.get("/api/v1/desk/state", headers=world.desks["ana"].cookie)
        [detail] = snapshot.json()["requests"]
        assert detail["id"] == rid and detail["state"] == "connected"
        assert "before the restart" in [m["body"] for m in detail["messages"]]
        with world.widget(created, last_seq=seen) as widget:
            desk.send({"type": "message", "id": "d1", "request_id": rid, "body": "still here"})
            desk.ack("d1")
            reply = widget.until("message", **{"message.client_id": "d1"})
            assert reply["seq"] == seen + 1  # the thread goes on where it was
            widget.send({"type": "message", "id": "m2", "body": "after the restart"})
            widget.ack("m2")
            desk.until("message", **{"message.client_id": "m2"})
    assert world.rows("requests")[0]["specialist_id"] == world.specialists["ana"].id


def test_a_connected_request_is_rerouted_when_its_specialist_does_not_return(
    world: World,
) -> None:
    world.settings.specialist_grace = 60.0
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
    world.settings.specialist_grace = 0.0  # after the restart, Ana's grace is over at once
    world.restart()
    world.settle(lambda: world.rt.engine.request(created["request_id"]).state == "waiting")
    with world.desk("ben") as desk:
        desk.until("offer", **{"offer.request_id": created["request_id"]})
        with world.widget(created, last_seq=0) as widget:
            widget.until("request.state", state="waiting")
            widget.until(
                "message", **{"message.sender": "system", "request_id": created["request_id"]}
            )


def test_customers_who_do_not_return_after_a_restart_are_abandoned(world: World) -> None:
    gone = world.ask("c1")
    back = world.ask("c2")
    world.restart()
    world.beat(60)
    with world.widget(back):
        world.beat(61)
    rows = {row["id"]: row for row in world.rows("requests")}
    assert (rows[gone["request_id"]]["state"], rows[gone["request_id"]]["cause"]) == (
        "dead_end",
        "abandoned",
    )
    assert rows[back["request_id"]]["state"] == "waiting"
