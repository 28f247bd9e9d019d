"""Customers and desks that behave as the SDK and the desk do, over real WebSockets.

- Every write carries a unique `id` and stays in the client's outbox until it is answered:
  resent with the same id on every reconnect, and after `retry_after` when refused with
  `unavailable`, `busy` or `rate_limited`. Any other `error` is a final refusal.
- A dropped socket is reopened with backoff and resumed with `hello` + `last_seq`.
- With several nodes a client has a list of them, as behind a load balancer: it reconnects
  to the same node while that one answers, and moves to the next when its socket or its
  request is refused (the node died, or answers 503).
- Events are applied by `seq`: a duplicate is ignored (and counted); a gap is never accepted:
  the client drops the socket and resumes from its last seq, so the server fills it (and the
  gap is counted: the server should never send one).

Each client keeps what it saw (`events`, in seq order) and what was acknowledged, for
`checks` to compare with the database. Writes are sent one at a time per conversation (a
person typing), so the order a sender meant is the order of its acks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx2
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from chaos.harness import ORIGIN, Desk, Node

Frame = dict[str, Any]
RETRYABLE = {"unavailable", "busy", "rate_limited"}
FINAL = {"resolved", "cancelled", "dead_end"}
LINE = re.compile(r"line (\d+) of (\d+)$")
WAIT = 60.0  # real seconds a client waits for something it expects: a hang guard


@dataclass
class Tally:
    """What every client did and met, for the report."""

    connects: int = 0
    reconnects: int = 0
    refused_sockets: Counter[str] = field(default_factory=Counter)  # handshakes refused
    resends: int = 0  # writes sent again with the same id
    retried: Counter[str] = field(default_factory=Counter)  # error codes then resent
    refusals: Counter[str] = field(default_factory=Counter)  # final refusals by code
    duplicates: int = 0  # events at or below the client's seq, ignored
    gaps: list[str] = field(default_factory=list)  # events past seq + 1 (never accepted)
    regressions: list[str] = field(default_factory=list)  # a welcome behind what we saw
    closes: Counter[str] = field(default_factory=Counter)  # close codes from the server
    refused: list[str] = field(default_factory=list)  # every final refusal, described
    slowest: float = 0.0  # real seconds from a write's first send to its answer (a figure)
    moves: int = 0  # a client moved to another node (its own refused it): several nodes
    moved_connects: int = 0  # sockets opened on a node other than the client's first


class Gap(Exception):
    """An event arrived past last_seq + 1: resume rather than accept it."""


@dataclass
class Write:
    frame: Frame
    future: asyncio.Future[Frame]
    retry: asyncio.TimerHandle | None = None


class Client:
    """One socket's life: connect, hello, resend, apply events; reconnect when it drops."""

    role = "client"

    def __init__(
        self, node: Node | Sequence[Node], name: str, tally: Tally, backoff: float = 1.0
    ) -> None:
        self.nodes = list(node) if isinstance(node, list | tuple) else [node]  # type: ignore[list-item]
        self.at = 0  # which of `nodes` this client uses now
        self.name = name
        self.tally = tally
        self.backoff = backoff  # the longest pause between two connection attempts
        self.cursor = 0
        self.events: list[Frame] = []
        self.outbox: dict[str, Write] = {}
        self.acked: list[tuple[Frame, Frame]] = []  # (frame, ack) in ack order
        self.refused: list[tuple[Frame, Frame]] = []  # (frame, error): final refusals
        self.ws: ClientConnection | None = None
        self.welcomed = asyncio.Event()
        self.news = asyncio.Event()  # set at every applied event
        self.stopping = False
        self.vanished = False
        self.fatal: str | None = None
        self.drops = 0
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._counter = 0

    @property
    def node(self) -> Node:
        return self.nodes[self.at % len(self.nodes)]

    def move(self) -> None:
        """This node refused us: the next one (a load balancer's next upstream)."""
        if len(self.nodes) > 1:
            self.at += 1
            self.tally.moves += 1

    # -- what subclasses say ---------------------------------------------------------------
    def url(self) -> str:
        raise NotImplementedError

    def connect_options(self) -> dict[str, Any]:
        raise NotImplementedError

    def hello(self) -> Frame:
        raise NotImplementedError

    def apply(self, event: Frame) -> None:
        """An event in seq order."""

    def signal(self, frame: Frame) -> None:
        """A frame without seq other than ack/error/welcome."""

    # -- life ------------------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"client {self.name}")

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self) -> None:
        delay = 0.05
        first = True
        while not self.stopping:
            if not first:
                self.tally.reconnects += 1
            first = False
            try:
                ws = await connect(self.url(), **self.connect_options())
            except InvalidStatus as error:
                self.tally.refused_sockets[str(error.response.status_code)] += 1
                if error.response.status_code >= 500:
                    self.move()
                await self._pause(delay)
                delay = min(delay * 2, self.backoff)
                continue
            except (OSError, InvalidHandshake, TimeoutError) as error:
                self.tally.refused_sockets[type(error).__name__] += 1
                self.move()
                await self._pause(delay)
                delay = min(delay * 2, self.backoff)
                continue
            self.tally.connects += 1
            if self.node is not self.nodes[0]:
                self.tally.moved_connects += 1
            self.ws = ws
            try:
                await self._send(self.hello())
                async for raw in ws:
                    if self._frame(json.loads(raw)):
                        delay = 0.05  # welcomed: the next drop starts the backoff again
            except ConnectionClosed:
                pass
            except Gap:
                ws.transport.abort()
            finally:
                self.ws = None
                self.welcomed.clear()
                self._cancel_retries()
                code = ws.close_code
                if code is not None and code != 1000 and not self.stopping:
                    self.tally.closes[str(code)] += 1
                if code == 4401:
                    self.fatal = f"closed 4401: {ws.close_reason}"
                    self.stopping = True
            if not self.stopping:
                await self._pause(delay)

    async def _pause(self, delay: float) -> None:
        await asyncio.sleep(delay * (0.5 + random.random() / 2))

    def drop(self) -> bool:
        """Close the socket abruptly (no close frame), as a lost network does."""
        if self.ws is None or self.stopping:
            return False
        self.drops += 1
        self.ws.transport.abort()
        return True

    def vanish(self) -> None:
        """The socket dies and never comes back."""
        self.vanished = True
        self.stopping = True
        if self.ws is not None:
            self.ws.transport.abort()

    async def stop(self) -> None:
        self.stopping = True
        for task in list(self._tasks):
            task.cancel()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._cancel_retries()

    # -- frames ----------------------------------------------------------------------------
    def _frame(self, frame: Frame) -> bool:
        """Handle one frame; True when it was the welcome."""
        kind = frame.get("type")
        if kind == "welcome":
            end = frame.get("last_seq", 0)
            if end < self.cursor:
                self.tally.regressions.append(
                    f"{self.name}: welcome last_seq {end} but {self.cursor} seen before"
                )
            self.welcomed.set()
            for write in list(self.outbox.values()):  # everything not answered, same ids
                self.tally.resends += 1
                self.spawn(self._send(write.frame))
            return True
        if "seq" in frame:
            seq = frame["seq"]
            if seq <= self.cursor:
                self.tally.duplicates += 1
                return False
            if seq != self.cursor + 1:
                self.tally.gaps.append(f"{self.name}: seq {seq} after {self.cursor}")
                raise Gap
            self.cursor = seq
            self.events.append(frame)
            self.apply(frame)
            self.news.set()
            return False
        if kind == "ack":
            write = self.outbox.pop(str(frame.get("id")), None)
            if write is not None:
                self.acked.append((write.frame, frame))
                if not write.future.done():
                    write.future.set_result(frame)
            return False
        if kind == "error":
            self._error(frame)
            return False
        self.signal(frame)
        return False

    def _error(self, frame: Frame) -> None:
        write = self.outbox.get(str(frame.get("ref")))
        code = str(frame.get("code"))
        if write is None:
            self.tally.refusals[f"{code} (no ref)"] += 1
            return
        if code in RETRYABLE:
            self.tally.retried[code] += 1
            delay = float(frame.get("retry_after") or 1.0)
            if write.retry is not None:
                write.retry.cancel()
            write.retry = asyncio.get_running_loop().call_later(delay, self._resend, write)
            return
        self.tally.refusals[code] += 1
        self.tally.refused.append(
            f"{self.name}: {write.frame['type']} {write.frame['id']} refused {code}: "
            f"{frame.get('message')}"
        )
        del self.outbox[write.frame["id"]]
        self.refused.append((write.frame, frame))
        if not write.future.done():
            write.future.set_result(frame)

    def _resend(self, write: Write) -> None:
        write.retry = None
        if write.frame["id"] in self.outbox and self.welcomed.is_set():
            self.tally.resends += 1
            self.spawn(self._send(write.frame))

    def _cancel_retries(self) -> None:
        for write in self.outbox.values():
            if write.retry is not None:
                write.retry.cancel()
                write.retry = None

    async def _send(self, frame: Frame) -> None:
        ws = self.ws
        if ws is None:
            return
        async with self._lock:
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps(frame))

    def next_id(self, kind: str) -> str:
        self._counter += 1
        return f"{self.name}.{kind}{self._counter}"

    async def write(self, frame: Frame) -> Frame:
        """Send a write and wait for its ack or final refusal (resent until then)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Frame] = loop.create_future()
        self.outbox[frame["id"]] = Write(frame, future)
        began = loop.time()
        if self.welcomed.is_set():
            await self._send(frame)
        answer = await future
        self.tally.slowest = max(self.tally.slowest, loop.time() - began)
        return answer

    async def until(self, condition: Callable[[], bool]) -> None:
        """Wait (bounded by WAIT) until `condition()` holds after some applied event."""
        async with asyncio.timeout(WAIT):
            while not condition():
                self.news.clear()
                if condition():
                    return
                await self.news.wait()


class Customer(Client):
    """The widget: POST /requests, then /ws/customer; says `lines` messages once connected."""

    role = "customer"

    def __init__(
        self,
        node: Node | Sequence[Node],
        app: str,
        name: str,
        tally: Tally,
        lines: int,
        pause: float,
        **kw: Any,
    ) -> None:
        super().__init__(node, name, tally, **kw)
        self.app = app
        self.lines = lines
        self.pause = pause
        self.device = secrets.token_urlsafe(24)
        self.request_id = ""
        self.token = ""
        self.states: list[Frame] = []  # request.state events, in seq order

    def url(self) -> str:
        return f"{self.node.ws}/ws/customer?app={self.app}"

    def connect_options(self) -> dict[str, Any]:
        return {"origin": ORIGIN, "proxy": None, "compression": None, "open_timeout": 10}

    def hello(self) -> Frame:
        return {
            "type": "hello",
            "request_id": self.request_id,
            "token": self.token,
            "last_seq": self.cursor,
        }

    def apply(self, event: Frame) -> None:
        if event["type"] == "request.state":
            self.states.append(event)

    @property
    def state(self) -> str:
        return str(self.states[-1]["state"]) if self.states else "waiting"

    def messages(self) -> list[Frame]:
        return [e["message"] for e in self.events if e["type"] == "message"]

    async def ask(self, http: httpx2.AsyncClient) -> None:
        """POST /api/v1/requests until answered; a resend (same id) finds the same request."""
        body = {
            "id": f"{self.name}.ask",
            "description": f"{self.name} cannot tell which card is charged",
            "user": {"id": self.name, "name": f"Customer {self.name}"},
            "context": {"flow": "chaos", "step": "payment"},
        }
        headers = {"Origin": ORIGIN, "X-Tapline-Device": self.device}
        async with asyncio.timeout(WAIT):
            while True:
                try:
                    answer = await http.post(
                        f"{self.node.base}/api/v1/requests",
                        params={"app": self.app},
                        headers=headers,
                        json=body,
                    )
                except httpx2.HTTPError:
                    self.tally.retried["http"] += 1
                    self.move()
                    await asyncio.sleep(0.2)
                    continue
                if answer.status_code in (200, 201):
                    break
                if answer.status_code >= 500:
                    self.tally.retried[f"http {answer.status_code}"] += 1
                    self.move()
                    await asyncio.sleep(0.2)
                    continue
                raise RuntimeError(f"POST /requests: {answer.status_code} {answer.text}")
        created = answer.json()
        self.request_id = created["request_id"]
        self.token = created["customer_token"]

    async def converse(self) -> None:
        """Wait for a specialist, say every line, then wait for the outcome (bounded)."""
        await self.until(lambda: self.state in ("connected", *FINAL))
        for index in range(1, self.lines + 1):
            if self.state in FINAL:
                return
            frame = {
                "type": "message",
                "id": f"{self.name}.m{index}",
                "body": f"{self.name} line {index} of {self.lines}",
            }
            answer = await asyncio.wait_for(self.write(frame), WAIT)
            if answer["type"] != "ack":
                return
            await asyncio.sleep(self.pause)
        await self.until(lambda: self.state in FINAL)


@dataclass
class Holding:
    """A request while one specialist holds it: what their desk saw of its thread."""

    request_id: str
    messages: list[Frame]
    assigned_seq: int
    ended: str | None = None
    resolved_by_me: bool = False
    news: asyncio.Event = field(default_factory=asyncio.Event)


class Specialist(Client):
    """The desk: presence available, accept every offer, answer every line, then resolve."""

    role = "specialist"

    def __init__(
        self, node: Node | Sequence[Node], desk: Desk, tally: Tally, pause: float, **kw: Any
    ) -> None:
        super().__init__(node, desk.name.replace(" ", ""), tally, **kw)
        self.desk = desk
        self.pause = pause
        self.holdings: list[Holding] = []
        self.current: dict[str, Holding] = {}
        self.accepts: Counter[str] = Counter()
        self.answered: dict[str, set[str]] = {}  # per request, across holdings: said once
        self._present = False

    def url(self) -> str:
        return f"{self.node.ws}/ws/specialist"

    def connect_options(self) -> dict[str, Any]:
        return {
            "origin": self.node.base,
            "additional_headers": {"Cookie": f"tapline_desk={self.desk.token}"},
            "proxy": None,
            "compression": None,
            "open_timeout": 10,
        }

    def hello(self) -> Frame:
        return {"type": "hello", "last_seq": self.cursor}

    def _frame(self, frame: Frame) -> bool:
        welcomed = super()._frame(frame)
        if welcomed and not self._present:
            self._present = True
            presence = {"type": "presence", "id": self.next_id("p"), "status": "available"}
            self.spawn(self.write(presence))
        return welcomed

    def apply(self, event: Frame) -> None:
        kind = event["type"]
        if kind == "offer":
            request_id = event["offer"]["request_id"]
            self.accepts[request_id] += 1
            # Ids never carry the request id: `r_<hex>` can read as a card number (one in
            # a thousand) and a write whose id does is refused, as the desk's own ids never are.
            frame = {"type": "accept", "id": self.next_id("a"), "request_id": request_id}
            self.spawn(self.write(frame))
        elif kind == "request.assigned":
            detail = event["request"]
            holding = Holding(detail["id"], list(detail["messages"]), event["seq"])
            self.holdings.append(holding)
            self.current[holding.request_id] = holding
            self.spawn(self.serve(holding))
        elif kind == "message":
            holding = self.current.get(event["request_id"])
            if holding is not None:
                holding.messages.append(event["message"])
                holding.news.set()
        elif kind == "request.state" and event.get("state") != "connected":
            holding = self.current.pop(event["request_id"], None)
            if holding is not None:
                holding.ended = str(event["state"])
                holding.news.set()

    async def serve(self, holding: Holding) -> None:
        """Answer each customer line once, one at a time; resolve after the last one."""
        answered = self.answered.setdefault(holding.request_id, set())
        while holding.ended is None:
            holding.news.clear()
            last = False
            for message in list(holding.messages):
                if message["sender"] != "customer":
                    continue
                found = LINE.search(message["body"])
                if found is None:
                    continue  # the description
                last = last or found.group(1) == found.group(2)
                if message["client_id"] in answered:
                    continue
                answered.add(message["client_id"])
                await asyncio.sleep(self.pause)
                frame = {
                    "type": "message",
                    "id": f"{self.name}.re.{message['client_id']}",
                    "request_id": holding.request_id,
                    "body": f"{self.name} answers {message['client_id']}",
                }
                answer = await self.write(frame)
                if answer["type"] != "ack":
                    return  # not ours any more: the event that says so is on its way
            if last and holding.ended is None:
                frame = {
                    "type": "resolve",
                    "id": self.next_id("r"),
                    "request_id": holding.request_id,
                    "disposition": "resolved",
                }
                answer = await self.write(frame)
                holding.resolved_by_me = answer["type"] == "ack"
                return
            if holding.ended is None and not any(
                m["client_id"] not in answered and m["sender"] == "customer"
                for m in holding.messages
                if LINE.search(m["body"])
            ):
                await holding.news.wait()
