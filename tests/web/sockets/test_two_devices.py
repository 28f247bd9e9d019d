"""One request across a verified customer's devices: one thread, both sources, presence."""

from __future__ import annotations

import time

from support import ORIGIN, World
from tapline.lib.identity import sign_customer


def _token(world: World, sub: str = "u-42") -> str:
    return sign_customer(world.app.secret, sub, "Sam", "sam@example.com", int(time.time()) + 600)


def _found(world: World, token: str) -> list[dict[str, object]]:
    response = world.client.get(
        f"/api/v1/customers/requests?app={world.key}",
        headers={"Origin": ORIGIN, "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return list(response.json()["requests"])


def test_a_phone_continues_the_laptops_chat_in_one_thread(world: World) -> None:
    laptop_tag = {"tab": "lt", "device": "laptop", "ua": "desktop"}
    context = {"step": "payment", "steps": ["search", "payment"], "source": laptop_tag}
    user = {"id": "u-42", "token": _token(world)}
    with world.desk("ana") as desk:
        created, _ = world.connect(desk, user=user, context=context)
        rid = created["request_id"]
        [found] = _found(world, _token(world))  # the phone looks its requests up
        assert found["request_id"] == rid
        with world.widget(created) as laptop, world.widget(found) as phone:
            phone_tag = {"tab": "pt", "device": "phone", "ua": "phone"}
            phone.send(
                {"type": "context", "id": "p1", "context": {"step": "search", "source": phone_tag}}
            )
            phone.ack("p1")
            source = desk.until("context.updated", request_id=rid)["source"]
            assert (source["device"], source["ua"]) == ("phone", "phone")
            phone.send({"type": "message", "id": "m-phone", "body": "On my phone now"})
            phone.ack("m-phone")
            for socket in (laptop, desk):
                socket.until("message", **{"message.client_id": "m-phone"})
            desk.send({"type": "message", "id": "d1", "request_id": rid, "body": "Got it"})
            desk.ack("d1")
            for socket in (laptop, phone):
                socket.until("message", **{"message.client_id": "d1"})
        presence = desk.until("customer.presence", request_id=rid, **{"presence.state": "gone"})
        state = world.api("GET", "/desk/state", "ana").json()
        [request] = [r for r in state["requests"] if r["id"] == rid]
    assert presence["presence"]["since"] is not None
    assert {s["device"] for s in request["sources"]} == {"laptop", "phone"}
    assert [m["client_id"] for m in request["messages"]].count("m-phone") == 1


def test_an_unverified_customer_never_gets_another_devices_request(world: World) -> None:
    world.ask("c1", user={"id": "u-42"})  # unsigned: the same id, but nothing proves it
    world.ask("c2", user={"id": "u-7", "token": _token(world, "u-7")})
    assert _found(world, _token(world)) == []
