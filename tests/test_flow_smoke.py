"""The whole write path once, end to end over ASGI: ask, offer, accept, chat."""

from __future__ import annotations

from support import World


def test_help_request_reaches_a_specialist_and_back(world: World) -> None:
    with world.desk("ana") as desk:
        created, detail = world.connect(desk)
        assert detail["context"]["step"] == "payment"
        with world.widget(created) as widget:
            widget.until("request.state", state="connected")
            widget.send({"type": "message", "id": "m1", "body": "Hello?"})
            assert widget.ack("m1")["result"]["message_id"]
