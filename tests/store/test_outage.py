"""A database outage: nothing is decided while it lasts, and the engine follows the database.

The outage is a switch on the server's database engine that fails every statement, as an
unreachable database does, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from support import GUARD, Socket, World
from tapline.engine import EngineError, RequestState


class Outage:
    """Every statement on the server's database fails while `down` is set."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.down = False
        event.listen(world.rt.db.sync_engine, "before_cursor_execute", self._statement)

    def _statement(self, *_args: Any) -> None:
        if self.down:
            raise OperationalError("statement", {}, ConnectionRefusedError("database is down"))

    def begin(self) -> None:
        self.down = True

    def end(self) -> None:
        """The database is back: wait until the writer has rebuilt the engine from it."""
        self.down = False

        async def recovered() -> None:
            async with asyncio.timeout(GUARD):
                while self.world.rt.writer.down is not None:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)

        self.world.call(recovered)


@pytest.fixture
def outage(world: World) -> Iterator[Outage]:
    found = Outage(world)
    yield found
    found.down = False


def _fail_a_write(world: World, outage: Outage, widget: Socket, frame_id: str) -> None:
    """A write on an open socket gets `unavailable` and the socket stays open."""
    widget.send({"type": "message", "id": frame_id, "body": "hello?"})
    error = widget.error("unavailable")
    assert error["ref"] == frame_id and error["retry_after"] > 0
    widget.send({"type": "ping"})
    widget.until("pong")
    world.settle(lambda: world.rt.writer.down is not None)


def _state(world: World, request_id: str) -> tuple[str, str | None]:
    """The request's state in the database and in the engine (None: the engine lets go)."""
    row = next(r for r in world.rows("requests") if r["id"] == request_id)
    try:
        engine_state: str | None = str(world.rt.engine.request(request_id).state)
    except EngineError:
        engine_state = None
    return row["state"], engine_state


def test_past_the_customer_grace_while_down_nothing_ends(world: World, outage: Outage) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        request_id = created["request_id"]
        with world.widget(created) as widget:
            outage.begin()
            _fail_a_write(world, outage, widget, "m-down")
        world.advance(world.settings.customer_grace * 3)  # gone, and far past the grace
        world.settle()
        assert world.rt.engine.request(request_id).state is RequestState.CONNECTED
        outage.end()
        # Back: the engine holds exactly what committed: still connected, nothing lost.
        assert _state(world, request_id) == ("connected", "connected")
        messages = [r for r in world.rows("messages") if r["client_id"] == "m-down"]
        assert messages == []  # refused, so not kept
        # The grace now runs from the return of the database, with real time.
        world.advance(world.settings.customer_grace + 1)
        state = desk.until("request.state", request_id=request_id)
        assert state["state"] == "dead_end"
        assert _state(world, request_id) in {("dead_end", None), ("dead_end", "dead_end")}


def test_past_the_specialist_grace_while_down_no_chat_moves(world: World, outage: Outage) -> None:
    world.rt.settings.specialist_grace = 30.0
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
    request_id = created["request_id"]
    with world.widget(created) as widget:
        outage.begin()
        widget.send({"type": "message", "id": "m-1", "body": "still there?"})
        widget.error("unavailable")
        world.advance(60)  # far past the specialist's grace
        world.settle()
        assert world.rt.engine.request(request_id).state is RequestState.CONNECTED
        outage.end()
        # The desk stayed away past its grace: now, and only now, the chat is re-routed,
        # and the customer is told.
        world.advance(0.1)
        end = next(f for f in widget.seen if f["type"] == "welcome")["last_seq"]
        told = widget.until("request.state", state="waiting")
        while told["seq"] <= end:  # what it had before it came: replayed
            told = widget.until("request.state", state="waiting")
        assert told["request_id"] == request_id
        assert _state(world, request_id)[0] in ("waiting", "offered")
        assert _state(world, request_id)[1] in (str(RequestState.WAITING), "offered")


def test_an_offer_past_its_timeout_while_down_is_not_withdrawn(
    world: World, outage: Outage
) -> None:
    with world.desk("ana") as desk:
        created = world.ask()
        request_id = created["request_id"]
        desk.until("offer", **{"offer.request_id": request_id})
        outage.begin()
        desk.send({"type": "accept", "id": "a-1", "request_id": "r_another"})
        desk.error("unavailable")
        world.advance(world.settings.offer_timeout * 2)
        world.settle()
        assert not any(f["type"] == "offer.withdrawn" for f in desk.seen)
        outage.end()
        # Rebuilt from the database: the old offer is void and Ana, still at her desk and
        # available, is offered the request again.
        offer = desk.until("offer", **{"offer.request_id": request_id})
        assert offer["offer"]["request_id"] == request_id
        rows = world.rows("offers")
        assert [r["outcome"] for r in rows] == ["restart", None]


def test_health_and_new_sockets_say_what_is_down(world: World, outage: Outage) -> None:
    assert world.client.get("/healthz").status_code == 200
    with world.desk("ana") as desk:
        outage.begin()
        desk.send({"type": "presence", "id": "p-1", "status": "busy"})
        desk.error("unavailable")
        world.settle(lambda: world.rt.writer.down is not None)
        health = world.client.get("/healthz")
        assert health.status_code == 503
        body = health.json()
        assert body["status"] == "unavailable" and {"database", "writer"} <= set(body["down"])
        denial = world.denied(f"/ws/customer?app={world.key}", {"Origin": "https://shop.example"})
        assert denial.status_code == 503  # it would serve stale state
        outage.end()
        assert world.client.get("/healthz").status_code == 200
        desk.send({"type": "presence", "id": "p-2", "status": "busy"})
        desk.ack("p-2")
