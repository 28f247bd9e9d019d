"""How the busy demo's bots reach the server: over loopback, as a browser would, through the
real protocol (docs/protocol.md). REST with httpx2, the two WebSockets with `websockets`.
Nothing here calls the server's code: the bots are clients."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from tapline.demo.bots import Bot, Frame
from tapline.demo.script import Problem
from tapline.lib.identity import sign_customer

TIMEOUT = 10.0
"""Seconds an HTTP call or a socket's opening may take."""


class Refused(Exception):
    """The server said no (its status and reason), or could not be reached."""


@dataclass(frozen=True, slots=True)
class Link:
    """Where the server is, and what the bots present to it."""

    base: str
    """The server, e.g. http://127.0.0.1:8000 (loopback even when it listens on 0.0.0.0)."""
    origin: str
    """The server's own origin: the desk's, and one the demo app allows."""
    app_key: str
    app_secret: str
    """The demo app's secret, to sign customers' identities as its backend does."""

    @property
    def ws(self) -> str:
        return "ws" + self.base.removeprefix("http")

    def http(self) -> httpx2.AsyncClient:
        """A client of its own (a desk's cookie stays its own); no proxies for loopback."""
        return httpx2.AsyncClient(base_url=self.base, timeout=TIMEOUT, trust_env=False)


class Socket:
    """One WebSocket speaking JSON frames."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, url: str, origin: str, headers: dict[str, str] | None = None) -> Socket:
        ws = await connect(
            url, origin=Origin(origin), additional_headers=headers, proxy=None, open_timeout=TIMEOUT
        )
        return cls(ws)

    async def send(self, frame: Frame) -> None:
        await self.ws.send(json.dumps(frame))

    async def close(self) -> None:
        await self.ws.close()


async def drive(
    bot: Bot,
    socket: Socket,
    wake: asyncio.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Run a sans-I/O bot over its socket until it is done; raises if the socket closes.

    It sends what falls due, reads frames as they come, and looks again when `wake` is set
    (the bot was told something from outside, e.g. to stop). The read in progress is kept
    across those looks, never cancelled."""
    reading: asyncio.Future[Any] | None = None
    waking: asyncio.Future[Any] | None = None
    try:
        while not bot.done:
            for out in bot.due(clock()):
                await socket.send(out)
            if bot.done:
                return
            reading = reading or asyncio.ensure_future(socket.ws.recv())
            if wake is not None:
                waking = waking or asyncio.ensure_future(wake.wait())
            at = bot.next_at()
            timeout = None if at is None else max(0.0, at - clock())
            ready, _ = await asyncio.wait(
                [f for f in (reading, waking) if f is not None],
                timeout=timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if reading in ready:
                frame: Frame = json.loads(reading.result())
                reading = None
                bot.receive(frame, clock())
            if waking is not None and waking in ready and wake is not None:
                wake.clear()
                waking = None
    finally:
        for pending in (reading, waking):
            if pending is not None and not pending.done():
                pending.cancel()


async def ask(
    http: httpx2.AsyncClient, link: Link, number: int, name: str, problem: Problem
) -> dict[str, Any]:
    """`POST /api/v1/requests` as the widget on the demo's payment step does: a verified
    customer (signed as the demo's backend signs its traveller), a device of their own."""
    sub = f"sim-{secrets.token_hex(4)}-{number}"
    email = f"{sub}@sim.skyway.example"
    token = sign_customer(link.app_secret, sub, name, email, int(time.time()) + 3600)
    body = {
        "id": f"sim-{secrets.token_hex(8)}",
        "description": problem.description,
        "user": {"id": sub, "name": name, "email": email, "token": token},
        "context": {
            "flow": "booking",
            "step": "payment",
            "data": {**problem.data, "currency": "EUR", "simulated": True},
            "fields": [],
            "journey": [{"event": "step_viewed", "props": {"step": "payment"}, "at": 0}],
        },
    }
    headers = {"Origin": link.origin, "X-Tapline-Device": secrets.token_urlsafe(24)}
    path = f"/api/v1/requests?app={link.app_key}"
    return await _json(http.post(path, json=body, headers=headers))


async def customer_socket(link: Link) -> Socket:
    return await Socket.open(f"{link.ws}/ws/customer?app={link.app_key}", link.origin)


@dataclass(frozen=True, slots=True)
class Desk:
    """A signed-in desk: its cookie, its CSRF value, its stream's end and connected chats."""

    cookie: str
    csrf: str
    seq: int
    connected: list[str]


async def sign_in(http: httpx2.AsyncClient, link: Link, email: str, password: str) -> Desk:
    """Sign in as the desk does, then read its snapshot (`GET /api/v1/desk/state`)."""
    headers = {"Origin": link.origin}
    body = {"email": email, "password": password}
    response = await _response(http.post("/api/v1/desk/signin", json=body, headers=headers))
    cookie = response.cookies.get("tapline_desk")
    if not cookie:
        raise Refused("sign-in set no desk cookie")
    cookies = {"Cookie": f"tapline_desk={cookie}"}
    state = await _json(http.get("/api/v1/desk/state", headers=cookies))
    connected = [str(r["id"]) for r in state.get("requests", []) if r.get("state") == "connected"]
    return Desk(cookie, str(state["csrf"]), int(state.get("seq") or 0), connected)


async def desk_socket(link: Link, desk: Desk) -> Socket:
    return await Socket.open(
        f"{link.ws}/ws/specialist", link.origin, {"Cookie": f"tapline_desk={desk.cookie}"}
    )


async def sign_out(http: httpx2.AsyncClient, link: Link, desk: Desk) -> None:
    headers = {"Origin": link.origin, "X-CSRF-Token": desk.csrf}
    headers["Cookie"] = f"tapline_desk={desk.cookie}"
    await _response(http.post("/api/v1/desk/signout", headers=headers))


async def _response(call: Any) -> httpx2.Response:
    try:
        response: httpx2.Response = await call
    except httpx2.HTTPError as error:
        raise Refused(f"{type(error).__name__}: {error}") from error
    if response.status_code >= 400:
        raise Refused(f"{response.status_code} {response.text[:200]}")
    return response


async def _json(call: Any) -> dict[str, Any]:
    body: dict[str, Any] = (await _response(call)).json()
    return body
