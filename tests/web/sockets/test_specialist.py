"""The desk's socket: offers, accepting, replying, resolving, presence, and who may connect."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from support import ORIGIN, World

# -- The whole request, both ways -----------------------------------------------------------


def test_request_from_offer_to_rating(world: World) -> None:
    with world.desk("ana") as desk:
        created = world.ask(
            "c1",
            "Will my credits be used?",
            context={"flow": "booking", "step": "payment", "data": {"fare": 412}},
        )
        request_id = created["request_id"]
        offer = desk.until("offer")["offer"]
        assert offer["request_id"] == request_id
        assert offer["context"]["data"] == {"fare": 412}
        assert offer["description"] == "Will my credits be used?"
        assert offer["expires_at"] == int((world.clock.now() + 30) * 1000)

        desk.send({"type": "accept", "id": "a1", "request_id": request_id})
        assert desk.ack("a1")["result"] == {}
        detail = desk.until("request.assigned")["request"]
        assert detail["id"] == request_id and detail["state"] == "connected"
        assert detail["context"]["step"] == "payment"
        assert [(m["sender"], m["body"]) for m in detail["messages"]] == [
            ("customer", "Will my credits be used?")
        ]

        with world.widget(created) as widget:
            state = widget.until("request.state", state="connected")
            assert state["specialist"] == {"name": "Ana Ferreira", "role": "Payments specialist"}
            joined = widget.until("message", **{"message.sender": "system"})
            assert joined["message"]["body"] == "Ana Ferreira (Payments specialist) joined."

            # Customer to specialist: stored before the ack.
            widget.send({"type": "message", "id": "m1", "body": "Hello?"})
            message_id = widget.ack("m1")["result"]["message_id"]
            stored = {row["id"]: row for row in world.rows("messages")}
            assert stored[message_id]["body"] == "Hello?"
            assert stored[message_id]["sender"] == "customer"
            got = desk.until("message", **{"message.client_id": "m1"})
            assert got["request_id"] == request_id
            assert got["message"]["id"] == message_id and got["message"]["body"] == "Hello?"

            # Specialist to customer.
            desk.send({"type": "message", "id": "d1", "request_id": request_id, "body": "Hi!"})
            reply_id = desk.ack("d1")["result"]["message_id"]
            assert {row["id"] for row in world.rows("messages")} >= {reply_id}
            reply = widget.until("message", **{"message.client_id": "d1"})["message"]
            assert reply == {
                "id": reply_id,
                "client_id": "d1",
                "sender": "specialist",
                "author": "Ana Ferreira",
                "body": "Hi!",
                "at": reply["at"],
            }

            # Not resolved: a dead end, counted as unresolved.
            desk.send(
                {
                    "type": "resolve",
                    "id": "r1",
                    "request_id": request_id,
                    "disposition": "not_resolved",
                    "note": "needs the airline",
                }
            )
            assert desk.ack("r1")["result"] == {"state": "dead_end"}
            ended = desk.until("request.state", request_id=request_id)
            assert (ended["state"], ended["cause"]) == ("dead_end", "unresolved")
            assert ended["disposition"] == "not_resolved"
            outcome = widget.until("request.state", state="dead_end")
            assert outcome["cause"] == "unresolved"

            widget.send({"type": "rate", "id": "rate1", "score": 4, "comment": "Kind, but no"})
            widget.ack("rate1")
            rated = desk.until("request.rated")
            assert (rated["request_id"], rated["score"], rated["comment"]) == (
                request_id,
                4,
                "Kind, but no",
            )
            # A resend is acknowledged and not told twice; a changed rating is.
            widget.send({"type": "rate", "id": "rate1b", "score": 4, "comment": "Kind, but no"})
            widget.ack("rate1b")
            widget.send({"type": "rate", "id": "rate2", "score": 3, "comment": "Kind, but no"})
            widget.ack("rate2")
            assert desk.until("request.rated")["score"] == 3
            assert not [f for f in desk.pending if f["type"] == "request.rated"]
    [row] = world.rows("requests")
    assert (row["state"], row["cause"], row["disposition"]) == (
        "dead_end",
        "unresolved",
        "not_resolved",
    )
    assert (row["rating"], row["rating_comment"], row["note"]) == (
        3,
        "Kind, but no",
        "needs the airline",
    )
    assert row["ended_at"] is not None


@pytest.mark.parametrize("disposition", ["resolved", "resolved_with_followup", "duplicate"])
def test_resolving_ends_resolved_with_the_disposition(world: World, disposition: str) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        with world.widget(created) as widget:
            rid = created["request_id"]
            desk.send(
                {"type": "resolve", "id": "r1", "request_id": rid, "disposition": disposition}
            )
            assert desk.ack("r1")["result"] == {"state": "resolved"}
            outcome = widget.until("request.state", state="resolved")
            assert outcome["cause"] is None
            ended = desk.until("request.state", request_id=rid)
            assert (ended["state"], ended["disposition"]) == ("resolved", disposition)
            # Over: no more messages either way.
            widget.send({"type": "message", "id": "late", "body": "one more thing"})
            assert widget.error("invalid_state")["ref"] == "late"
            desk.send({"type": "message", "id": "late", "request_id": rid, "body": "bye"})
            assert desk.error("invalid_state")["ref"] == "late"
    [row] = world.rows("requests")
    assert (row["state"], row["disposition"]) == ("resolved", disposition)


def test_a_bad_disposition_or_note_is_refused_and_nothing_ends(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        rid = created["request_id"]
        desk.send({"type": "resolve", "id": "r1", "request_id": rid, "disposition": "fixed"})
        assert "resolved, resolved_with_followup" in desk.error("bad_frame")["message"]
        desk.send(
            {
                "type": "resolve",
                "id": "r2",
                "request_id": rid,
                "disposition": "resolved",
                "note": "x" * 2001,
            }
        )
        assert desk.error("bad_frame")["ref"] == "r2"
        desk.send({"type": "message", "id": "still", "request_id": rid, "body": "still here"})
        desk.ack("still")
        # Read while the desk is open: once it closes, its requests are re-routed.
        assert world.rows("requests")[0]["state"] == "connected"


# -- Offers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["ana", "ben"])
def test_the_offer_goes_to_the_longest_idle_specialist(world: World, first: str) -> None:
    second = "ben" if first == "ana" else "ana"
    with world.desk(first) as one:
        world.advance(10)
        with world.desk(second) as two:
            created = world.ask()
            one.until("offer", **{"offer.request_id": created["request_id"]})
            two.send({"type": "ping"})
            two.until("pong")
            world.settle()
            offers = world.rows("offers")
            assert [row["specialist_id"] for row in offers] == [world.specialists[first].id]


def test_declined_offers_go_to_the_other_specialist(world: World) -> None:
    with world.desk("ana") as ana:
        world.advance(10)
        with world.desk("ben") as ben:
            created = world.ask()
            rid = created["request_id"]
            ana.until("offer", **{"offer.request_id": rid})
            ana.send({"type": "decline", "id": "no", "request_id": rid})
            ana.ack("no")
            withdrawn = ana.until("offer.withdrawn")
            assert (withdrawn["request_id"], withdrawn["reason"]) == (rid, "declined")
            ben.until("offer", **{"offer.request_id": rid})
            # A resent decline (its ack was lost) gets the same answer, and changes nothing.
            ana.send({"type": "decline", "id": "no-again", "request_id": rid})
            ana.ack("no-again")
            # The offer is no longer Ana's to take.
            ana.send({"type": "accept", "id": "late", "request_id": rid})
            assert ana.error("not_allowed")["ref"] == "late"
            ben.send({"type": "accept", "id": "yes", "request_id": rid})
            ben.ack("yes")
            ben.until("request.assigned")
            world.settle()
            offers = {row["specialist_id"]: row["outcome"] for row in world.rows("offers")}
            assert offers == {
                world.specialists["ana"].id: "declined",
                world.specialists["ben"].id: "accepted",
            }


def test_an_offer_left_to_time_out_moves_on_and_the_specialist_is_set_away(world: World) -> None:
    with world.desk("ana") as ana:
        world.advance(10)
        with world.desk("ben") as ben:
            created = world.ask()
            rid = created["request_id"]
            ana.until("offer", **{"offer.request_id": rid})
            world.advance(29)
            world.beat()
            world.advance(1.5)  # past the 30 s offer timeout: the ticker acts on its own
            withdrawn = ana.until("offer.withdrawn")
            assert (withdrawn["request_id"], withdrawn["reason"]) == (rid, "expired")
            assert ana.until("presence", status="away")["active"] == 0
            ben.until("offer", **{"offer.request_id": rid})
            ben.send({"type": "accept", "id": "a1", "request_id": rid})
            ben.ack("a1")
            # Away: the next request is not offered to Ana; it goes to Ben's spare capacity.
            created2 = world.ask("c2")
            ben.until("offer", **{"offer.request_id": created2["request_id"]})
            world.settle()
            outcomes = [(row["specialist_id"], row["outcome"]) for row in world.rows("offers")]
            assert outcomes[0] == (world.specialists["ana"].id, "expired")
            assert {spec for spec, _ in outcomes[1:]} == {world.specialists["ben"].id}


def test_an_offer_within_its_time_stays(world: World) -> None:
    with world.desk("ana") as ana:
        created = world.ask()
        ana.until("offer")
        world.beat(29.9)
        ana.send({"type": "accept", "id": "a1", "request_id": created["request_id"]})
        ana.ack("a1")
        ana.until("request.assigned")


def test_a_cancelled_request_withdraws_its_offer(world: World) -> None:
    with world.desk("ana") as ana:
        created = world.ask()
        ana.until("offer")
        with world.widget(created) as widget:
            widget.send({"type": "cancel", "id": "x1"})
            assert widget.ack("x1")["result"] == {"state": "cancelled"}
            widget.until("request.state", state="cancelled")
            withdrawn = ana.until("offer.withdrawn")
            assert withdrawn["reason"] == "cancelled"
            widget.send({"type": "cancel", "id": "x2"})  # again: still cancelled
            assert widget.ack("x2")["result"] == {"state": "cancelled"}


# -- Presence and dropping ------------------------------------------------------------------


def test_presence_busy_holds_offers_until_available(world: World) -> None:
    with world.desk("ana") as ana:
        ana.until("presence", status="available")
        ana.send({"type": "presence", "id": "p1", "status": "busy"})
        assert ana.ack("p1")["result"] == {"status": "busy"}
        ana.until("presence", status="busy")
        created = world.ask()
        world.settle()
        assert world.rows("offers") == []
        ana.send({"type": "presence", "id": "p2", "status": "available"})
        ana.ack("p2")
        ana.until("offer", **{"offer.request_id": created["request_id"]})
        ana.send({"type": "presence", "id": "p3", "status": "asleep"})
        assert ana.error("bad_frame")["ref"] == "p3"


def test_the_chosen_presence_comes_back_with_the_desk(world: World) -> None:
    with world.desk("ana") as ana:
        ana.send({"type": "presence", "id": "p1", "status": "away"})
        ana.ack("p1")
    with world.desk("ana") as ana:
        state = world.client.get("/api/v1/desk/state", headers=world.desks["ana"].cookie)
        assert state.json()["specialist"]["presence"] == "away"
        world.ask()
        world.settle()
        assert world.rows("offers") == []


def test_a_dropped_specialists_request_is_rerouted_with_a_system_message(world: World) -> None:
    with world.desk("ben") as ben, world.desk("ana") as ana:
        # Ben is busy for now, so the request comes to Ana.
        ben.send({"type": "presence", "id": "p1", "status": "busy"})
        ben.ack("p1")
        created, _ = world.connect(ana, context={"flow": "booking", "step": "payment"})
        rid = created["request_id"]
        with world.widget(created) as widget:
            assert widget.until("request.state", state="connected")["specialist"]["name"] == (
                "Ana Ferreira"
            )
            widget.send({"type": "message", "id": "m1", "body": "Are you there?"})
            widget.ack("m1")
            ben.send({"type": "presence", "id": "p2", "status": "available"})
            ben.ack("p2")
            ana.close()  # the desk's socket closes; specialist_grace is 0
            widget.until("request.state", state="waiting")
            note = widget.until(
                "message",
                **{"message.sender": "system"},
                **{
                    "message.body": "Your specialist was disconnected. We're finding someone "
                    "else, who will see everything you shared."
                },
            )
            assert note["request_id"] == rid
            ben.until("offer", **{"offer.request_id": rid})
            ben.send({"type": "accept", "id": "a1", "request_id": rid})
            ben.ack("a1")
            detail = ben.until("request.assigned")["request"]
            assert detail["context"]["step"] == "payment"
            bodies = [m["body"] for m in detail["messages"]]
            assert "Are you there?" in bodies and note["message"]["body"] in bodies
            state = widget.until("request.state", state="connected")
            assert state["specialist"]["name"] == "Ben Okafor"
            world.settle()
            [row] = world.rows("requests")
            assert row["specialist_id"] == world.specialists["ben"].id
    ana_events = [f for f in ana.events("request.state") if f["request_id"] == rid]
    assert ana_events == []  # the closed socket saw nothing more; the log has it


def test_the_dropped_specialist_sees_the_request_leave_on_resume(world: World) -> None:
    with world.desk("ana") as ana:
        created, _ = world.connect(ana)
        seq = ana.events()[-1]["seq"]
    world.settle(lambda: world.rt.engine.request(created["request_id"]).state == "waiting")
    with world.desk("ana", last_seq=seq) as ana:
        back = ana.until("request.state", request_id=created["request_id"])
        assert back["state"] == "waiting"


def test_a_desk_resuming_past_its_stream_end_is_told_and_resynced(world: World) -> None:
    with world.desk("ana") as ana:
        world.connect(ana)
        seqs = [f["seq"] for f in ana.events()]
    with world.desk("ana", last_seq=seqs[-1] + 50) as ana:
        end = ana.seen[0]["last_seq"]
        assert seqs[-1] <= end < seqs[-1] + 50
        refused = ana.until("error")
        assert refused["code"] == "stale_seq" and refused["ref"] is None
        ana.until("message", **{"message.sender": "system"})
        ana.send({"type": "ping"})
        ana.until("pong")
        replayed = [f["seq"] for f in ana.events()]
        assert replayed[:end] == list(range(1, end + 1))


# -- Who may do what ------------------------------------------------------------------------


def test_only_the_assigned_specialist_writes_to_a_request(world: World) -> None:
    with world.desk("ana") as ana, world.desk("ben") as ben:
        ben.send({"type": "presence", "id": "p1", "status": "busy"})
        ben.ack("p1")
        created, _ = world.connect(ana)
        rid = created["request_id"]
        ben.send({"type": "message", "id": "b1", "request_id": rid, "body": "mine now"})
        assert ben.error("not_allowed")["ref"] == "b1"
        ben.send({"type": "resolve", "id": "b2", "request_id": rid, "disposition": "resolved"})
        assert ben.error("not_allowed")["ref"] == "b2"
        ben.send({"type": "accept", "id": "b3", "request_id": rid})
        assert ben.error("not_allowed")["ref"] == "b3"
        ben.send({"type": "accept", "id": "b4", "request_id": "r_nope"})
        assert ben.error("not_found")["ref"] == "b4"
        ben.send({"type": "accept", "id": "b5"})
        assert "request_id" in ben.error("bad_frame")["message"]
        ben.send({"type": "typing", "request_id": rid, "active": True})
        ben.send({"type": "ping"})
        ben.until("pong")
        world.settle()
        assert [row["sender"] for row in world.rows("messages")] == ["customer", "system"]


def test_typing_goes_both_ways_without_a_seq(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        rid = created["request_id"]
        with world.widget(created) as widget:
            widget.send({"type": "typing", "active": True})
            typing = desk.until("typing")
            assert typing == {
                "type": "typing",
                "request_id": rid,
                "from": "customer",
                "active": True,
            }
            desk.send({"type": "typing", "request_id": rid, "active": False})
            typing = widget.until("typing")
            assert typing == {
                "type": "typing",
                "request_id": rid,
                "from": "specialist",
                "active": False,
            }


def test_queue_counts_follow_the_waiting_requests(world: World) -> None:
    with world.desk("ana") as ana:
        ana.send({"type": "presence", "id": "p1", "status": "away"})
        ana.ack("p1")
        world.ask("c1")
        assert ana.until("queues")["queues"][0]["waiting"] == 1
        world.ask("c2")
        assert ana.until("queues")["queues"][0]["waiting"] == 2
        state = world.client.get("/api/v1/desk/state", headers=world.desks["ana"].cookie)
        assert [q["waiting"] for q in state.json()["queues"]] == [2]


def test_the_desk_sees_verified_customers(world: World) -> None:
    from tapline.lib.identity import sign_customer

    token = sign_customer(world.app.secret, "u-1", "Sam", "sam@example.com", 4_000_000_000)
    with world.desk("ana") as ana:
        _, detail = world.connect(
            ana, user={"id": "u-1", "name": "Sam", "email": "sam@example.com", "token": token}
        )
        assert detail["customer"] == {
            "verified": True,
            "id": "u-1",
            "name": "Sam",
            "email": "sam@example.com",
        }
        _, detail = world.connect(
            ana, "c2", user={"id": "admin", "name": "Eve", "token": token + "x"}
        )
        assert detail["customer"] == {
            "verified": False,
            "id": "admin",
            "name": "Eve",
            "email": None,
        }


# -- Connecting ----------------------------------------------------------------------------


def test_no_session_no_socket(world: World) -> None:
    denied = world.denied("/ws/specialist")
    assert denied.status_code == 403
    assert denied.json() == {"detail": "Sign in to the desk first."}


def test_a_customer_token_is_no_desk_cookie(world: World) -> None:
    created = world.ask()
    for cookie in (created["customer_token"], "tls_made-up", ""):
        denied = world.denied("/ws/specialist", {"cookie": f"tapline_desk={cookie}"})
        assert denied.status_code == 403
        assert denied.json() == {"detail": "Sign in to the desk first."}


def test_a_token_in_the_desk_hello_closes_it(world: World) -> None:
    created = world.ask()
    desk = world.signin("ana")
    with world.socket("/ws/specialist", desk.cookie) as ws:
        ws.send({"type": "hello", "last_seq": 0, "token": created["customer_token"]})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.next()
    assert closed.value.code == 4401
    assert "customer token" in closed.value.reason


def test_a_cross_site_desk_socket_is_refused(world: World) -> None:
    desk = world.signin("ana")
    denied = world.denied("/ws/specialist", {**desk.cookie, "origin": ORIGIN})
    assert denied.status_code == 403
    assert denied.json() == {"detail": "Cross-site socket refused."}
    with world.socket("/ws/specialist", {**desk.cookie, "origin": "http://testserver"}) as ws:
        ws.send({"type": "hello", "last_seq": 0})
        ws.until("welcome")


def test_hello_comes_first(world: World) -> None:
    desk = world.signin("ana")
    with world.socket("/ws/specialist", desk.cookie) as socket:
        socket.send({"type": "ping"})
        socket.until("pong")
        socket.send({"type": "presence", "id": "p1", "status": "busy"})
        socket.error("hello_required")
        socket.send({"type": "hello", "last_seq": "x"})
        assert socket.until("welcome")["last_seq"] == 0
        socket.send({"type": "hello", "last_seq": 0})
        socket.error("bad_frame")


# -- Resent writes (the desk's outbox resends what was not acknowledged) --------------------


def test_resent_writes_are_acknowledged_again_with_the_same_result(world: World) -> None:
    with world.desk("ana") as desk:
        created = world.ask()
        rid = created["request_id"]
        desk.until("offer")
        accept = {"type": "accept", "id": "a1", "request_id": rid}
        desk.send(accept)
        assert desk.ack("a1")["result"] == {}
        desk.send(accept)
        assert desk.ack("a1")["result"] == {}
        message = {"type": "message", "id": "d1", "request_id": rid, "body": "Hello"}
        desk.send(message)
        sent = desk.ack("d1")["result"]
        resolve = {"type": "resolve", "id": "r1", "request_id": rid, "disposition": "resolved"}
        desk.send(resolve)
        assert desk.ack("r1")["result"] == {"state": "resolved"}
        # After the end, the same frames again: the same answers, nothing stored twice.
        desk.send(message)
        assert desk.ack("d1")["result"] == sent
        desk.send(resolve)
        assert desk.ack("r1")["result"] == {"state": "resolved"}
        desk.send({**resolve, "id": "r2", "disposition": "duplicate"})
        assert desk.error("invalid_state")["ref"] == "r2"  # a new write is refused
        world.settle()
    assert [row["client_id"] for row in world.rows("messages")].count("d1") == 1
    assert world.rows("requests")[0]["disposition"] == "resolved"
    assert [f["state"] for f in desk.events("request.state")] == ["resolved"]


def test_bad_frames_on_the_desk_get_errors_and_the_socket_stays(world: World) -> None:
    with world.desk("ana") as desk:
        desk.send_text("{oops")
        desk.error("bad_json")
        desk.send_bytes(b"\x00\x01")
        desk.error("bad_frame")
        desk.send_text("[]")
        desk.error("bad_frame")
        desk.send({"type": "teleport", "id": "t1"})
        assert desk.error("unknown_type")["ref"] == "t1"
        desk.send({"type": "presence", "status": "busy"})
        desk.error("bad_frame")
        desk.send({"type": "presence", "id": "p1", "status": "busy"})
        assert desk.ack("p1")["result"] == {"status": "busy"}


def _chat_then_desk_closes(world: World) -> str:
    """Ana takes a chat (its customer present), then her desk closes; grace 60 s."""
    from tapline.actions.customer import customer_presence

    world.settings.specialist_grace = 60.0
    with world.desk("ana") as ana:
        created, _ = world.connect(ana)
        rid: str = created["request_id"]
        world.call(customer_presence, world.rt, rid, True)
    return rid


def test_the_desks_grace_runs_on_the_engines_clock(world: World) -> None:
    rid = _chat_then_desk_closes(world)
    world.beat(59)
    assert world.rt.engine.request(rid).state == "connected"  # Ana may still come back
    world.beat(1)
    assert world.rt.engine.request(rid).state == "waiting"
    with world.desk("ana"):  # back too late: the request is no longer hers
        assert world.rt.engine.request(rid).state in ("waiting", "offered")
        assert world.rt.drop_at == {}


def test_a_desk_back_within_its_grace_keeps_its_chats(world: World) -> None:
    rid = _chat_then_desk_closes(world)
    world.beat(30)
    with world.desk("ana"):
        world.beat(60)
        assert world.rt.engine.request(rid).state == "connected"
