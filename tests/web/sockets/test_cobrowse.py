"""Co-browse over both sockets: asked, allowed, relayed only to the holder, capped, stopped.

Every frame either socket receives here is checked against the published protocol too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from support import Socket, World
from tapline import strict_json
from tapline.lib import cobrowse, protocol

PAGE = [
    {"type": 4, "data": {"href": "https://shop.example/pay", "width": 800, "height": 600}},
    {"type": 2, "data": {"node": {"type": 0, "childNodes": [], "id": 1}}},
]


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


def _ask(world: World, desk: Socket, widget: Socket, request_id: str) -> None:
    desk.send({"type": "cobrowse_ask", "id": "ask1", "request_id": request_id})
    assert desk.ack("ask1")["result"] == {"state": "asked"}
    asked = widget.until("cobrowse.asked")
    assert asked == {"type": "cobrowse.asked", "request_id": request_id, "name": "Ana Ferreira"}


def _allow(world: World, desk: Socket, widget: Socket, request_id: str) -> None:
    _ask(world, desk, widget, request_id)
    widget.send({"type": "cobrowse_consent", "id": "yes1", "allow": True})
    assert widget.ack("yes1")["result"] == {"state": "live"}
    desk.until("cobrowse", request_id=request_id, state="live", by="customer")
    widget.until("cobrowse", state="live")


def _events(world: World, widget: Socket, events: list[dict[str, Any]]) -> None:
    world.clock.advance(0.1)  # within the socket's frames per second
    widget.send({"type": "cobrowse_events", "events": events})


def _nothing_relayed(desk: Socket) -> None:
    desk.send({"type": "ping"})
    desk.until("pong")
    assert [f for f in desk.seen if f["type"] == "cobrowse.events"] == []


def test_nothing_passes_before_the_customer_allows(world: World, chat: Any) -> None:
    desk, widget, request_id = chat
    _events(world, widget, PAGE)
    assert widget.error("invalid_state")["message"].startswith("Co-browse is not on")
    _ask(world, desk, widget, request_id)
    _events(world, widget, PAGE)  # asked is not allowed
    widget.error("invalid_state")
    _nothing_relayed(desk)


def test_allowed_events_reach_only_the_holder_and_stop_at_once(world: World, chat: Any) -> None:
    desk, widget, request_id = chat
    with world.desk("ben") as ben:
        _allow(world, desk, widget, request_id)
        _events(world, widget, PAGE)
        relayed = desk.until("cobrowse.events")
        assert relayed == {"type": "cobrowse.events", "request_id": request_id, "events": PAGE}
        widget.send({"type": "cobrowse_stop", "id": "stop1"})
        assert widget.ack("stop1")["result"] == {"state": "stopped"}
        stopped = desk.until("cobrowse", state="stopped")
        assert (stopped["by"], stopped["reason"]) == ("customer", "customer")
        _events(world, widget, PAGE)
        widget.error("invalid_state")
        ben.send({"type": "ping"})
        ben.until("pong")
        assert [f for f in ben.seen if f["type"].startswith("cobrowse")] == []
    assert [f for f in desk.seen if f["type"] == "cobrowse.events"] == [relayed]
    # The record: who asked, the customer allowed, the customer stopped.
    recorded = [r for r in world.rows("events") if r["type"] == "cobrowse"]
    states = [r["payload"]["state"] for r in recorded if "specialist" in r["stream"]]
    assert states == ["asked", "live", "stopped"]


def test_declined_starts_nothing(world: World, chat: Any) -> None:
    desk, widget, request_id = chat
    _ask(world, desk, widget, request_id)
    widget.send({"type": "cobrowse_consent", "id": "no1", "allow": False})
    assert widget.ack("no1")["result"] == {"state": "declined"}
    desk.until("cobrowse", state="declined", by="customer")
    _events(world, widget, PAGE)
    widget.error("invalid_state")
    widget.send({"type": "cobrowse_consent", "id": "yes-late", "allow": True})
    assert widget.error("invalid_state")["ref"] == "yes-late"
    _nothing_relayed(desk)


def test_only_the_holder_may_ask(world: World, chat: Any) -> None:
    _desk, widget, request_id = chat
    with world.desk("ben") as ben:
        ben.send({"type": "cobrowse_ask", "id": "b1", "request_id": request_id})
        assert ben.error("not_allowed")["ref"] == "b1"
    widget.send({"type": "ping"})
    widget.until("pong")
    assert [f for f in widget.seen if f["type"] == "cobrowse.asked"] == []


def test_the_specialist_stops_it(world: World, chat: Any) -> None:
    desk, widget, request_id = chat
    _allow(world, desk, widget, request_id)
    desk.send({"type": "cobrowse_stop", "id": "s1", "request_id": request_id})
    assert desk.ack("s1")["result"] == {"state": "stopped"}
    stopped = widget.until("cobrowse", state="stopped")
    assert (stopped["by"], stopped["reason"]) == ("specialist", "specialist")
    _events(world, widget, PAGE)
    widget.error("invalid_state")
    _nothing_relayed(desk)


def test_resolving_ends_it(world: World, chat: Any) -> None:
    desk, widget, request_id = chat
    _allow(world, desk, widget, request_id)
    resolve = {"type": "resolve", "id": "r1", "request_id": request_id}
    desk.send({**resolve, "disposition": "resolved"})
    desk.ack("r1")
    _events(world, widget, PAGE)
    widget.error("invalid_state")
    stopped = desk.until("cobrowse", state="stopped")
    assert (stopped["by"], stopped["reason"]) == ("tapline", "ended")
    _nothing_relayed(desk)


def test_too_much_data_stops_it(world: World, chat: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    desk, widget, request_id = chat
    monkeypatch.setattr(cobrowse, "BYTES_BURST", 2000.0)
    _allow(world, desk, widget, request_id)
    _events(world, widget, PAGE)
    desk.until("cobrowse.events")
    big = [{"type": 3, "data": {"source": 0, "texts": [{"id": 1, "value": "x" * 2000}]}}]
    _events(world, widget, big)
    assert widget.error("too_large")["message"] == "Too much page data: co-browse stopped."
    stopped = desk.until("cobrowse", state="stopped")
    assert stopped["reason"] == "too_much_data"
    assert len([f for f in desk.seen if f["type"] == "cobrowse.events"]) == 1


def test_a_card_number_never_passes(world: World, chat: Any) -> None:
    desk, widget, request_id = chat
    _allow(world, desk, widget, request_id)
    # Numbers that are not text (an SVG path, CSS) pass, however card-like.
    svg = {"tagName": "path", "attributes": {"d": "M16.6 18.9 26.4 7.2 14.4 21.4Z"}, "id": 3}
    css = {"tagName": "style", "attributes": {"_cssText": ".a{margin:4 4 4 4 4242 4242}"}}
    _events(world, widget, [{"type": 2, "data": {"node": {"childNodes": [svg, css]}}}])
    desk.until("cobrowse.events")
    hidden = {"type": 2, "data": {"node": {"attributes": {"data-card": "4242 4242 4242 4242"}}}}
    _events(world, widget, [hidden])
    widget.error("not_allowed")
    assert desk.until("cobrowse", state="stopped")["reason"] == "card_number"
    _allow(world, desk, widget, request_id)
    leak = [{"type": 3, "data": {"source": 5, "text": "4111 1111 1111 1111", "id": 9}}]
    _events(world, widget, leak)
    widget.error("not_allowed")
    assert desk.until("cobrowse", state="stopped")["reason"] == "card_number"
    desk.send({"type": "ping"})
    desk.until("pong")
    relayed = [f for f in desk.seen if f["type"] == "cobrowse.events"]
    assert len(relayed) == 1 and "4242 4242 4242 4242" not in str(relayed)
    assert "4111" not in world.database_text()


@pytest.mark.parametrize(
    "events",
    [[], "page", [1], [{"data": {}}], [{"type": 3}] * (cobrowse.EVENTS_PER_FRAME + 1)],
)
def test_bad_events_are_refused_and_keep_the_socket(world: World, chat: Any, events: Any) -> None:
    desk, widget, request_id = chat
    _allow(world, desk, widget, request_id)
    _events(world, widget, events)
    widget.error("bad_frame")
    _events(world, widget, PAGE)
    desk.until("cobrowse.events")


def test_the_customer_leaving_stops_it(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        request_id = created["request_id"]
        with world.widget(created) as widget:
            _allow(world, desk, widget, request_id)
        stopped = desk.until("cobrowse", state="stopped")
        assert stopped["reason"] == "connection_lost"
        assert request_id not in cobrowse.sessions(world.rt)


def test_the_specialist_leaving_stops_it(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        request_id = created["request_id"]
        with world.widget(created) as widget:
            _allow(world, desk, widget, request_id)
            desk.end()  # her last desk closes
            stopped = widget.until("cobrowse", state="stopped")
            assert (stopped["by"], stopped["reason"]) == ("tapline", "specialist_left")
            assert request_id not in cobrowse.sessions(world.rt)
            _events(world, widget, PAGE)
            widget.error("invalid_state")
