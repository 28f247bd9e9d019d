"""The specialist asks the customer's app for more time: a signal to the widget only.

Every frame either socket receives here is checked against the published protocol too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from support import Socket, World
from tapline import strict_json
from tapline.actions.hold import ASK_EVERY
from tapline.lib import protocol


def _checked(socket: Socket, side: protocol.Socket) -> None:
    for frame in socket.seen:
        protocol.server_adapter(side).validate_json(strict_json.dumps(frame))


@pytest.fixture
def chat(world: World) -> Iterator[tuple[Socket, Socket, str]]:
    """Ana's desk and the customer's widget, connected in one conversation."""
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        with world.widget(created) as widget:
            yield desk, widget, created["request_id"]
            _checked(widget, "customer")
        _checked(desk, "desk")


def _asks_seen(widget: Socket) -> list[dict[str, Any]]:
    widget.send({"type": "ping"})
    widget.until("pong")
    return [f for f in widget.seen if f["type"] == "session.extend"]


def test_the_holder_asks_and_the_widget_is_told(world: World, chat: Any) -> None:
    desk, widget, request_id = chat
    desk.send({"type": "session_extend", "id": "x1", "request_id": request_id})
    assert desk.ack("x1")["result"] == {}
    assert widget.until("session.extend") == {"type": "session.extend", "request_id": request_id}


def test_a_second_ask_within_the_interval_is_refused_then_allowed(world: World, chat: Any) -> None:
    desk, widget, request_id = chat
    desk.send({"type": "session_extend", "id": "x1", "request_id": request_id})
    desk.ack("x1")
    world.clock.advance(1)
    desk.send({"type": "session_extend", "id": "x2", "request_id": request_id})
    refused = desk.error("rate_limited")
    assert refused["ref"] == "x2"
    assert "ask again" in refused["message"]
    world.clock.advance(ASK_EVERY)
    desk.send({"type": "session_extend", "id": "x3", "request_id": request_id})
    assert desk.ack("x3")["result"] == {}
    assert len(_asks_seen(widget)) == 2


def test_only_the_holder_may_ask(world: World, chat: Any) -> None:
    _desk, widget, request_id = chat
    with world.desk("ben") as ben:
        ben.send({"type": "session_extend", "id": "b1", "request_id": request_id})
        assert ben.error("not_allowed")["ref"] == "b1"
        ben.send({"type": "session_extend", "id": "b2"})
        assert ben.error("bad_frame")["ref"] == "b2"
    assert _asks_seen(widget) == []
