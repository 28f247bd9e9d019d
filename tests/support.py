"""What the server tests share. (Tests import this, never `conftest`: there are several.)

`World` is a running server over Starlette's TestClient with a FakeClock; `Socket` reads a
TestClient WebSocket frame by frame until the one a test expects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from starlette.testclient import WebSocketDenialResponse, WebSocketTestSession
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect

from tapline.actions import transaction
from tapline.actions.effects import apply
from tapline.demo import pages as demo_pages
from tapline.engine import FakeClock
from tapline.lib.runtime import Runtime
from tapline.settings import Settings
from tapline.store.models import App, Base, Specialist
from tapline.web.app import create_app
from tapline.web.desk_auth import COOKIE

PG_URL = os.environ.get("TAPLINE_TEST_PG", "postgresql://root@127.0.0.1:5432/test")
ORIGIN = "https://shop.example"
PASSWORD = "correct horse battery"
START = 1_800_000_000.0

GUARD = 30.0
"""Real seconds a test waits for a frame it expects before failing: a hang guard, not timing."""

Frame = dict[str, Any]
T = TypeVar("T")


@contextlib.asynccontextmanager
async def bare_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A migrated database and a Runtime on it, with no app around it (its writer closed
    at the end)."""
    from tapline.store.database import make_engine, make_sessionmaker
    from tapline.store.migrate import upgrade

    db = make_engine(settings.db_url, settings.database_schema)
    await upgrade(db)
    runtime = Runtime(settings=settings, db=db, sessions=make_sessionmaker(db), clock=FakeClock(0))
    try:
        yield runtime
    finally:
        await runtime.writer.close()
        await db.dispose()


class Socket:
    """One TestClient WebSocket. Every frame read is kept in `seen`, in order.

    `until` returns the first frame not returned before that matches, reading more only when
    none of those already read does; so the order of independent frames does not matter.
    """

    def __init__(self, ws: WebSocketTestSession) -> None:
        self.ws = ws
        self.seen: list[Frame] = []
        self.pending: list[Frame] = []
        self.ended = False

    def send(self, frame: Frame) -> None:
        self.ws.send_json(frame)

    def send_text(self, data: str) -> None:
        self.ws.send_text(data)

    def send_bytes(self, data: bytes) -> None:
        self.ws.send_bytes(data)

    def next(self) -> Frame:
        """The next frame; a close becomes WebSocketDisconnect (with its code and reason)."""

        async def receive() -> Any:
            with anyio.fail_after(GUARD):
                return await self.ws._send_rx.receive()

        message = self.ws.portal.call(receive)
        if message["type"] == "websocket.close":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason") or "")
        frame: Frame = json.loads(message["text"])
        self.seen.append(frame)
        return frame

    def until(self, type_: str, **fields: Any) -> Frame:
        """The first unclaimed frame of `type_` whose `fields` (dotted paths allowed) match."""
        return self.until_any((type_, fields))

    def until_any(self, *alternatives: tuple[str, dict[str, Any]]) -> Frame:
        """The first unclaimed frame matching any of (type, fields)."""

        def matches(frame: Frame) -> bool:
            return any(
                frame.get("type") == type_
                and all(_get(frame, path) == value for path, value in fields.items())
                for type_, fields in alternatives
            )

        for index, frame in enumerate(self.pending):
            if matches(frame):
                return self.pending.pop(index)
        while True:
            try:
                frame = self.next()
            except TimeoutError:
                raise AssertionError(
                    f"none of {alternatives} within {GUARD} s; unclaimed: {self.pending}"
                ) from None
            if matches(frame):
                return frame
            self.pending.append(frame)

    def ack(self, frame_id: str) -> Frame:
        return self.until("ack", id=frame_id)

    def error(self, code: str) -> Frame:
        return self.until("error", code=code)

    def events(self, type_: str | None = None) -> list[Frame]:
        """The sequenced frames read so far (of one type, if given)."""
        return [f for f in self.seen if "seq" in f and (type_ is None or f["type"] == type_)]

    def close(self) -> None:
        """Close from the client and wait until the server's handler has finished."""
        if self.ended:
            return
        self.ws.close()

        async def finished() -> None:
            with anyio.fail_after(GUARD):
                await self.ws.scope[_DONE].wait()

        self.ws.portal.call(finished)

    def end(self) -> None:
        """Close, then let the TestClient finish the session (once; later calls do nothing)."""
        if self.ended:
            return
        try:
            self.close()
        finally:
            self.ended = True
            self.ws.__exit__(None, None, None)


_DONE = "tests.handler_done"


class Tracked:
    """Marks each WebSocket scope with an event set once the server's handler has returned.

    The TestClient cancels a socket's handler as its `with` block ends; closing first and
    waiting for this lets the handler's own clean-up (the customer's grace, the specialist's
    drop) run to its end, as it does behind a real server.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        done = scope[_DONE] = asyncio.Event()
        try:
            await self.app(scope, receive, send)
        finally:
            done.set()


def _get(frame: Frame, path: str) -> Any:
    value: Any = frame
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


@dataclass
class Desk:
    """A signed-in specialist: the cookie's token and the CSRF value."""

    key: str
    specialist: Specialist
    token: str
    csrf: str

    @property
    def cookie(self) -> dict[str, str]:
        return {"cookie": f"{COOKIE}={self.token}"}


@dataclass
class World:
    """A running server with one app, one queue and specialists `ana` and `ben`."""

    settings: Settings
    clock: FakeClock
    app: App
    specialists: dict[str, Specialist]
    client: TestClient = field(init=False)
    sockets: list[Socket] = field(default_factory=list)
    server: FastAPI = field(init=False)
    desks: dict[str, Desk] = field(default_factory=dict)
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def start(self) -> None:
        self.server = create_app(self.settings, clock=self.clock, extend=[demo_pages.install])
        self.client = self._stack.enter_context(
            TestClient(Tracked(self.server), base_url="http://testserver")
        )

    def stop(self) -> None:
        """Stop the server; sockets still open are closed first, as a graceful shutdown does."""
        try:
            for socket in self.sockets:
                socket.end()
        finally:
            self.sockets.clear()
            self._stack.close()

    def restart(self) -> None:
        """A new server process on the same database (desk sessions stay valid).

        Sockets open in the test are closed by the old server (their handlers' clean-up runs:
        a desk's drop waits `specialist_grace`, a customer's grace starts); open new ones.
        """
        self.stop()
        self._stack = contextlib.ExitStack()
        self.start()

    @property
    def rt(self) -> Runtime:
        rt: Runtime = self.server.state.rt
        return rt

    @property
    def key(self) -> str:
        return self.app.public_key

    # -- The event loop ------------------------------------------------------------------

    def call(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run `fn` on the server's event loop and return its result."""
        portal = self.client.portal
        assert portal is not None
        return portal.call(fn, *args)

    def settle(self, until: Callable[[], bool] = lambda: True) -> None:
        """Wait (on the loop) until `until()` holds, then until the write in flight is done."""

        async def wait() -> None:
            with anyio.fail_after(GUARD):
                while not until():  # noqa: ASYNC110 - server state, no event to wait on
                    await asyncio.sleep(0.001)
                await self.rt.writer.idle()

        self.call(wait)

    def advance(self, seconds: float) -> None:
        """Move the FakeClock and wake the ticker so that due deadlines fire."""
        self.clock.advance(seconds)

        async def wake() -> None:
            self.rt.wake()

        self.call(wake)

    def rows(self, table: str) -> list[dict[str, Any]]:
        """Every row of a table, read straight from the database."""

        async def read() -> list[dict[str, Any]]:
            async with self.rt.db.connect() as connection:
                result = await connection.execute(select(Base.metadata.tables[table]))
                return [dict(row._mapping) for row in result]

        return self.call(read)

    def database_text(self) -> str:
        """Every row of every table as text: for asserting what was never stored."""
        return json.dumps(
            {name: self.rows(name) for name in Base.metadata.tables}, default=str, sort_keys=True
        )

    def execute(self, sql: str, **params: Any) -> None:
        async def run() -> None:
            async with self.rt.db.begin() as connection:
                await connection.execute(text(sql), params)

        self.call(run)

    # -- The desk ------------------------------------------------------------------------

    def signin(self, who: str) -> Desk:
        """Sign in as `who`; the cookie is kept here, not in the client's jar."""
        specialist = self.specialists[who]
        response = self.client.post(
            "/api/v1/desk/signin", json={"email": specialist.email, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        token = response.cookies[COOKIE]
        self.client.cookies.clear()
        desk = Desk(who, specialist, token, response.json()["csrf"])
        self.desks[who] = desk
        return desk

    @contextlib.contextmanager
    def socket(self, path: str, headers: dict[str, str] | None = None) -> Iterator[Socket]:
        """A WebSocket that is closed, and its handler finished, when the block ends."""
        ws = self.client.websocket_connect(path, headers=headers or {})
        socket = Socket(ws.__enter__())  # a refused handshake raises here
        self.sockets.append(socket)
        try:
            yield socket
        finally:
            socket.end()
            if socket in self.sockets:
                self.sockets.remove(socket)

    def denied(self, path: str, headers: dict[str, str] | None = None) -> WebSocketDenialResponse:
        """The HTTP answer of a WebSocket handshake the server refuses."""
        try:
            with self.socket(path, headers):
                pass
        except WebSocketDenialResponse as denial:
            return denial
        raise AssertionError(f"the handshake on {path} was accepted")

    @contextlib.contextmanager
    def desk(self, who: str, last_seq: int = 0) -> Iterator[Socket]:
        """`who`'s desk socket, past `welcome` and `queues` (signs in if needed)."""
        desk = self.desks.get(who) or self.signin(who)
        with self.socket("/ws/specialist", desk.cookie) as socket:
            socket.send({"type": "hello", "last_seq": last_seq})
            socket.until("welcome")
            socket.until("queues")
            # Welcome comes before the desk is counted online: wait for that too.
            specialist_id = self.specialists[who].id
            self.settle(lambda: self.rt.desk_sockets[specialist_id] > 0)
            yield socket

    # -- People and configuration --------------------------------------------------------

    def add_specialist(
        self,
        key: str,
        name: str,
        *,
        skills: dict[str, int],
        capacity: int = 2,
        supervisor: bool = False,
        authority: dict[str, Any] | None = None,
        role: str = "Specialist",
    ) -> Specialist:
        """A new specialist, stored and known to the running engine (offline until a desk)."""
        from tapline.actions.provision import add_specialist
        from tapline.lib import configuration

        async def add() -> Specialist:
            async with transaction(self.rt) as tx:
                row = await add_specialist(
                    tx.session,
                    email=f"{key}@example.com",
                    name=name,
                    password=PASSWORD,
                    role=role,
                    skills=skills,
                    capacity=capacity,
                    supervisor=supervisor,
                )
                row.authority = dict(authority or {})
                await tx.session.flush()
                await apply(tx, configuration.apply_specialist(self.rt, row))
                await configuration.reload_staffing(tx)
                return row

        row = self.call(add)
        self.specialists[key] = row
        return row

    def api(self, method: str, path: str, who: str, json: Any = None, csrf: bool = True) -> Any:
        """A desk API call as `who` (signed in if needed), with the CSRF header for writes."""
        desk = self.desks.get(who) or self.signin(who)
        headers = dict(desk.cookie)
        if csrf:
            headers["X-CSRF-Token"] = desk.csrf
        return self.client.request(method, f"/api/v1{path}", headers=headers, json=json)

    def beat(self, seconds: float = 0.0) -> None:
        """Move the FakeClock and run one pass of the ticker (engine, callbacks, reservations)
        before returning: for asserting what is, and is not yet, due (queues opening too)."""
        from tapline.actions import callbacks, desk, opening

        self.clock.advance(seconds)

        async def beat() -> None:
            async with transaction(self.rt) as tx:
                await apply(tx, self.rt.engine.tick())
                await callbacks.apply(tx, self.rt.callbacks.tick(self.clock.now()))
                await callbacks.reserve_due(tx)
                await opening.join_opened(tx)
                await desk.drop_due(tx)

        self.call(beat)

    # -- The widget ----------------------------------------------------------------------

    def ask(
        self, client_id: str = "c1", description: str = "Which is charged?", **body: Any
    ) -> Frame:
        """POST a request as the widget does; returns the 201 body."""
        body.setdefault("context", {"flow": "booking", "step": "payment"})
        response = self.client.post(
            f"/api/v1/requests?app={self.key}",
            headers={"Origin": ORIGIN},
            json={"id": client_id, "description": description, **body},
        )
        assert response.status_code == 201, response.text
        created: Frame = response.json()
        return created

    @contextlib.contextmanager
    def widget(self, created: Frame, last_seq: int = 0) -> Iterator[Socket]:
        """The customer's socket for a request, past `welcome`."""
        with self.socket(f"/ws/customer?app={self.key}", {"Origin": ORIGIN}) as socket:
            socket.send(
                {
                    "type": "hello",
                    "request_id": created["request_id"],
                    "token": created["customer_token"],
                    "last_seq": last_seq,
                }
            )
            socket.until("welcome")
            # Welcome comes before the customer is counted present: wait for that too.
            self.settle(lambda: self.rt.customer_sockets[created["request_id"]] > 0)
            yield socket

    def connect(self, desk: Socket, client_id: str = "c1", **body: Any) -> tuple[Frame, Frame]:
        """Ask for help and accept the offer on `desk`: the created request and its detail."""
        created = self.ask(client_id, **body)
        request_id = created["request_id"]
        desk.until("offer", **{"offer.request_id": request_id})
        desk.send({"type": "accept", "id": f"accept-{client_id}", "request_id": request_id})
        desk.ack(f"accept-{client_id}")
        assigned = desk.until("request.assigned", **{"request.id": request_id})
        return created, assigned["request"]
