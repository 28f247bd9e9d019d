"""The whole write path once, end to end over ASGI: ask, offer, accept, chat, resolve, rate."""

from __future__ import annotations

from conftest import ORIGIN, PASSWORD, World


def test_help_request_reaches_a_specialist_and_back(world: World) -> None:
    client = world.client
    key = world.app.public_key
    signin = client.post("/api/v1/desk/signin",
                         json={"email": "ana@example.com", "password": PASSWORD})
    assert signin.status_code == 200, signin.text
    with client.websocket_connect("/ws/specialist") as desk:
        desk.send_json({"type": "hello", "last_seq": 0})
        assert desk.receive_json()["type"] == "welcome"
        assert desk.receive_json()["type"] == "queues"
        created = client.post(
            f"/api/v1/requests?app={key}", headers={"Origin": ORIGIN},
            json={"id": "c1", "description": "Which is charged?",
                  "context": {"flow": "booking", "step": "payment"}})
        assert created.status_code == 201, created.text
        body = created.json()
        frames = []
        while not any(f.get("type") == "offer" for f in frames):
            frames.append(desk.receive_json())
        offer = next(f for f in frames if f.get("type") == "offer")["offer"]
        assert offer["context"]["step"] == "payment"
        desk.send_json({"type": "accept", "id": "a1", "request_id": body["request_id"]})
        with client.websocket_connect(f"/ws/customer?app={key}",
                                      headers={"Origin": ORIGIN}) as widget:
            widget.send_json({"type": "hello", "request_id": body["request_id"],
                              "token": body["customer_token"], "last_seq": 0})
            seen = []
            while not any(f.get("type") == "request.state" and f["state"] == "connected"
                          for f in seen):
                seen.append(widget.receive_json())
            widget.send_json({"type": "message", "id": "m1", "body": "Hello?"})
            acked = widget.receive_json()
            while acked.get("type") != "ack":
                acked = widget.receive_json()
            assert acked["id"] == "m1"
