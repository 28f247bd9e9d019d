"""Routing by the supervisor's rules, on the server: queues, requirements, tiers from verified
claims, stickiness, widening, and requests nobody can take (fallback, or a word and an alert)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from support import World
from tapline.actions import customer

Frame = dict[str, Any]

RULES = """\
[tiers]
gold = 20

[[rule]]
name = "booking payment"
when = 'flow == "booking" and step == "payment"'
queue = "Payments"
skills = { payments = 3 }
authority = ["refund_limit >= context.data.credits"]

[[rule]]
name = "gold members"
when = 'claims.tier == "gold"'
queue = "General"

[default]
queue = "General"
"""


@pytest.fixture
def routed(world: World) -> World:
    """A supervisor, a Payments queue and the rules above in force."""
    world.add_specialist("sofia", "Sofia Lind", skills={"admin": 1}, supervisor=True)
    response = world.api(
        "POST", "/admin/queues", "sofia", {"name": "Payments", "skill": "payments"}
    )
    assert response.status_code == 201, response.text
    assert world.api("PUT", "/admin/rules", "sofia", {"toml": RULES}).status_code == 200
    return world


def _queue_id(world: World, name: str) -> str:
    queue_id: str = next(q["id"] for q in world.rows("queues") if q["name"] == name)
    return queue_id


def _patch_queue(world: World, name: str, **changes: Any) -> None:
    response = world.api("PATCH", f"/admin/queues/{_queue_id(world, name)}", "sofia", changes)
    assert response.status_code == 200, response.text


def _user(world: World, sub: str, **claims: Any) -> dict[str, Any]:
    token = jwt.encode(
        {"sub": sub, "name": sub.title(), "exp": int(time.time()) + 600, **claims},
        world.app.secret,
        "HS256",
    )
    return {"id": sub, "token": token}


def _payment(credits: int | None = 150) -> dict[str, Any]:
    data = {} if credits is None else {"credits": credits}
    return {"flow": "booking", "step": "payment", "data": data}


def test_a_missing_context_value_drops_its_constraint(routed: World) -> None:
    routed.add_specialist("pay", "Pat Pay", skills={"payments": 3})  # no refund_limit at all
    with routed.desk("pay") as desk:
        created = routed.ask("c1", context=_payment(None))
        assert created["queue"]["name"] == "Payments"
        desk.until("offer", **{"offer.request_id": created["request_id"]})
    [row] = routed.rows("requests")
    assert row["requirements"] == {"skills": {"payments": 3}, "authority": []}


def test_verified_claims_give_priority_and_client_claims_do_not(routed: World) -> None:
    with routed.desk("ana") as desk:
        desk.send({"type": "presence", "id": "p1", "status": "busy"})
        desk.ack("p1")
        plain = routed.ask("c1", context={"flow": "search"})
        forged = routed.ask("c2", context={"flow": "search", "claims": {"tier": "gold"}})
        gold = routed.ask(
            "c3", context={"flow": "search"}, user=_user(routed, "goldie", tier="gold")
        )
        rows = {r["client_id"]: r for r in routed.rows("requests")}
        assert [rows[c]["priority"] for c in ("c1", "c2", "c3")] == [0, 0, 20]
        assert routed.rt.engine.position(gold["request_id"]) == 1
        assert routed.rt.engine.position(plain["request_id"]) == 2
        assert routed.rt.engine.position(forged["request_id"]) == 3
        desk.send({"type": "presence", "id": "p2", "status": "available"})
        desk.ack("p2")
        assert desk.until("offer")["offer"]["request_id"] == gold["request_id"]


def test_the_customers_last_specialist_is_preferred(routed: World) -> None:
    user = _user(routed, "sam")
    with routed.desk("ben") as ben:
        first, _ = routed.connect(ben, "c1", user=user, context={"flow": "search"})
        ben.send(
            {
                "type": "resolve",
                "id": "r1",
                "request_id": first["request_id"],
                "disposition": "resolved",
            }
        )
        ben.ack("r1")
        ben.send({"type": "presence", "id": "p1", "status": "busy"})
        ben.ack("p1")
        with routed.desk("ana") as ana:
            again = routed.ask("c2", user=user, context={"flow": "search"})
            stranger = routed.ask("c3", context={"flow": "search"})
            # Ana is free, but Sam waits for Ben for the queue's sticky time.
            assert ana.until("offer")["offer"]["request_id"] == stranger["request_id"]
            ben.send({"type": "presence", "id": "p2", "status": "available"})
            ben.ack("p2")
            assert ben.until("offer")["offer"]["request_id"] == again["request_id"]


def test_the_sticky_wait_ends(routed: World) -> None:
    user = _user(routed, "sam")
    with routed.desk("ben") as ben:
        routed.connect(ben, "c1", user=user, context={"flow": "search"})
        ben.send({"type": "presence", "id": "p1", "status": "busy"})
        ben.ack("p1")
        with routed.desk("ana") as ana:
            again = routed.ask("c2", user=user, context={"flow": "search"})
            routed.beat(59)
            ana.send({"type": "ping"})
            ana.until("pong")
            assert not [f for f in ana.seen if f["type"] == "offer"]
            routed.advance(1)  # General's sticky_seconds is 60
            ana.until("offer", **{"offer.request_id": again["request_id"]})


def test_widening_lets_a_lower_level_take_it_after_t1(routed: World) -> None:
    _patch_queue(routed, "Payments", widen_after=[120])
    routed.add_specialist(
        "junior", "June Junior", skills={"payments": 2}, authority={"refund_limit": 500}
    )
    with routed.desk("junior") as desk:
        created = routed.ask("c1", context=_payment(150))
        routed.call(customer.customer_presence, routed.rt, created["request_id"], True)
        routed.beat(119)
        desk.send({"type": "ping"})
        desk.until("pong")
        assert not [f for f in desk.seen if f["type"] == "offer"]
        routed.advance(1)
        desk.until("offer", **{"offer.request_id": created["request_id"]})


def test_nobody_who_can_help_means_a_word_to_the_customer_and_an_alert(routed: World) -> None:
    """Nobody has refund authority: the request keeps its place, the customer is told, the
    supervisors are alerted; once someone can help, it is offered."""
    routed.add_specialist("pay", "Pat Pay", skills={"payments": 4}, authority={"refund_limit": 50})
    with routed.desk("sofia") as boss, routed.desk("pay") as desk:
        created = routed.ask("c1", context=_payment(150))
        rid = created["request_id"]
        alert = boss.until("alert")
        assert alert == {
            "type": "alert",
            "kind": "unroutable",
            "request_id": rid,
            "queue_id": _queue_id(routed, "Payments"),
            "reason": "unqualified",
            "detail": alert["detail"],
        }
        assert "refund_limit >= 150" in alert["detail"]
        with routed.widget(created) as widget:
            note = widget.until("message", **{"message.sender": "system"})["message"]["body"]
            assert note.startswith("Nobody who can help with this is working right now.")
            pay = routed.specialists["pay"].id
            response = routed.api(
                "PATCH", f"/admin/specialists/{pay}", "sofia", {"authority": {"refund_limit": 200}}
            )
            assert response.status_code == 200
            widget.until(
                "message", **{"message.body": "Someone who can help with this is available again."}
            )
            desk.until("offer", **{"offer.request_id": rid})
        desk.send({"type": "ping"})
        desk.until("pong")
    assert routed.rt.engine.request(rid).unroutable is None


def test_a_fallback_queue_takes_what_nobody_here_can(routed: World) -> None:
    _patch_queue(routed, "Payments", fallback_queue_id=_queue_id(routed, "General"))
    with routed.desk("ana") as desk:
        created = routed.ask("c1", context=_payment(150))
        rid = created["request_id"]
        offer = desk.until("offer", **{"offer.request_id": rid})["offer"]
        assert offer["queue"]["name"] == "General"
        with routed.widget(created) as widget:
            widget.until(
                "message",
                **{
                    "message.body": "We're connecting you with a wider team who can help with this."
                },
            )
    [row] = routed.rows("requests")
    assert row["queue_id"] == _queue_id(routed, "General")


def test_a_queue_the_rules_name_cannot_be_renamed_under_them(routed: World) -> None:
    """The rules name queues by name: a rename would send payments to General silently."""
    payments = _queue_id(routed, "Payments")
    response = routed.api("PATCH", f"/admin/queues/{payments}", "sofia", {"name": "Cards"})
    assert response.status_code == 422
    assert "routing rules" in response.json()["detail"][0]["msg"]
    assert routed.ask("c1", context=_payment(150))["queue"]["name"] == "Payments"
    # Rules that no longer name it: the rename goes through.
    rules = RULES.replace('queue = "Payments"', 'queue = "General"')
    assert routed.api("PUT", "/admin/rules", "sofia", {"toml": rules}).status_code == 200
    response = routed.api("PATCH", f"/admin/queues/{payments}", "sofia", {"name": "Cards"})
    assert response.status_code == 200
    assert response.json()["name"] == "Cards"
