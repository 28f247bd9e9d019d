"""The generator's sockets: a customer (one chat) or a desk (several), on tapline or the relay.

Every message body is `L|<time.time() at send>`, and `|<node>` after it on several nodes: the
receiver's clock minus that stamp is the end-to-end latency (all processes share the machine's
clock), and the sender's node and the receiver's name the path it took. The stamp is
written in letters (microseconds in base 26): tapline removes digit runs that could be card
numbers, and a time in digits can be one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

Frame = dict[str, Any]
ORIGIN = "https://shop.bench.example"  # the bench app's allowed origin
CONNECT = {"compression": None, "ping_interval": None, "proxy": None, "open_timeout": 60}


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def stamp() -> str:
    """Now, in microseconds, in base 26 with letters for digits."""
    value, out = time.time_ns() // 1000, []
    while value:
        value, digit = divmod(value, 26)
        out.append(LETTERS[digit])
    return "".join(reversed(out))


def unstamp(text: str) -> float:
    value = 0
    for char in text:
        value = value * 26 + LETTERS.index(char)
    return value / 1e6


@dataclass
class Stats:
    """What one generator process saw. `window` is the measured window (time.time())."""

    sent: int = 0
    acked: int = 0
    refused: int = 0  # messages answered with an `error` instead of an `ack`
    held: int = 0  # sends due while `cap` messages were still unacknowledged: not sent
    late: int = 0  # sends the sender fell behind on (blocked, or its process starved): not sent
    received: int = 0  # peer messages received, whole run
    closed: int = 0  # sockets the other end closed
    errors: Counter[str] = field(default_factory=Counter)
    close_codes: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # sockets that never opened
    c2s: array[float] = field(default_factory=lambda: array("d"))  # seconds, in the window
    s2c: array[float] = field(default_factory=lambda: array("d"))
    paths: dict[str, array[float]] = field(default_factory=dict)  # "a>b": seconds, in the window
    window: tuple[float, float] = (float("inf"), float("inf"))
    last_ack: float = 0.0  # time.time() of the last ack of a message

    def record(self, role: str, body: object, here: str = "") -> None:
        if not (isinstance(body, str) and body.startswith("L|")):
            return  # the request's description, or anything else not ours
        now = time.time()
        self.received += 1
        if self.window[0] <= now <= self.window[1]:
            sent, _, there = body[2:].partition("|")
            took = now - unstamp(sent)
            (self.c2s if role == "specialist" else self.s2c).append(took)
            if there and here:
                self.paths.setdefault(f"{there}>{here}", array("d")).append(took)


class Peer:
    """One socket. `role` is who we are; `chats` the request (or relay pair) ids we hold."""

    def __init__(self, ws: ClientConnection, role: str, name: str, stats: Stats, cap: int):
        self.ws, self.role, self.name, self.stats, self.cap = ws, role, name, stats, cap
        self.chats: list[str] = []
        self.node = ""  # several nodes: the name of the one this socket is on
        self.pending: set[str] = set()  # our messages not yet acknowledged
        self.waiting: dict[str, asyncio.Future[Frame]] = {}  # control writes: id -> answer
        self.welcome = asyncio.Event()
        self.connected = asyncio.Event()  # a customer's chat is connected to a specialist
        self.tasks: set[asyncio.Task[None]] = set()
        self.counter = 0
        self.closing = False
        self.reader = asyncio.create_task(self.read())

    def next_id(self, kind: str) -> str:
        self.counter += 1
        return f"{kind}{self.name}.{self.counter}"

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                try:
                    self.on_frame(json.loads(raw))
                except Exception as error:  # the bench's own bug: count it, keep reading
                    self.stats.errors[f"generator {type(error).__name__}"] += 1
        except ConnectionClosed:
            pass
        if not self.closing:
            self.stats.closed += 1
            code, reason = self.ws.close_code, self.ws.close_reason
            self.stats.close_codes[f"{code} {reason}".strip()] += 1

    def on_frame(self, frame: Frame) -> None:
        kind = frame.get("type")
        if kind == "ack":
            self.answered(frame, ok=True)
        elif kind == "error":
            self.stats.errors[str(frame.get("code"))] += 1
            self.answered(frame, ok=False)
        elif kind == "message":
            message = frame.get("message") or {}
            if message.get("sender") not in (self.role, "system"):  # not our own echo
                self.stats.record(self.role, message.get("body"), self.node)
        elif kind == "welcome":
            self.welcome.set()
        elif kind == "offer":
            self.on_offer(frame["offer"]["request_id"])
        elif kind == "request.assigned":
            self.chats.append(frame["request"]["id"])
        elif kind == "request.state" and frame.get("state") == "connected":
            self.connected.set()

    def answered(self, frame: Frame, ok: bool) -> None:
        ref = frame.get("id") if ok else frame.get("ref")
        if ref in self.pending:
            self.pending.discard(ref)
            if ok:
                self.stats.acked += 1
                self.stats.last_ack = time.time()
            else:
                self.stats.refused += 1
        elif ref in self.waiting:
            self.waiting.pop(ref).set_result(frame)

    def on_offer(self, request_id: str) -> None:
        """Take every offer: the engine offers only what the desk has capacity for."""
        frame = {"type": "accept", "id": self.next_id("a"), "request_id": request_id}
        task = asyncio.create_task(self.ws.send(json.dumps(frame)))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def write(self, frame: Frame) -> Frame:
        """Send a control write (presence, cancel) and wait for its ack or error."""
        frame["id"] = self.next_id("x")
        future = asyncio.get_running_loop().create_future()
        self.waiting[frame["id"]] = future
        await self.ws.send(json.dumps(frame))
        return await asyncio.wait_for(future, 60)

    async def send_message(self, chat: str) -> None:
        if len(self.pending) >= self.cap:
            self.stats.held += 1
            return
        body = f"L|{stamp()}|{self.node}" if self.node else f"L|{stamp()}"
        frame = {"type": "message", "id": self.next_id("m"), "body": body}
        if self.role == "specialist":
            frame["request_id"] = chat
        self.pending.add(frame["id"])
        self.stats.sent += 1
        await self.ws.send(json.dumps(frame, separators=(",", ":")))

    async def close(self) -> None:
        self.closing = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 10)
        self.reader.cancel()


async def pace(peer: Peer, chat: str, rate: float, start: float, stop: float) -> None:
    """Send on `chat` every 1/rate s from `start` (a random phase) until `stop`."""
    interval = 1.0 / rate
    due = start + random.random() * interval
    while due < stop:
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -interval:  # fell behind (a slow send, a starved process): skip those
            missed = int(-delay / interval)
            peer.stats.late += missed
            due += missed * interval
            continue
        try:
            await peer.send_message(chat)
        except ConnectionClosed:
            return
        due += interval


async def tapline_customer(
    http: Any, base: str, app: str, index: int, run: str, stats: Stats, cap: int
) -> Peer:
    """POST a request as the widget does, open its socket and say hello."""
    body = {
        "id": f"{run}-{index}",
        "description": "Load bench: which one is charged?",
        "user": {"id": f"bench-{index}", "name": f"Customer {index}"},
        "context": {"flow": "bench", "step": "load"},
    }
    answer = await http.post(
        f"{base}/api/v1/requests", params={"app": app}, headers={"Origin": ORIGIN}, json=body
    )
    if answer.status_code != 201:
        raise RuntimeError(f"POST /requests {answer.status_code}")
    created = answer.json()
    url = base.replace("http", "ws", 1) + f"/ws/customer?app={app}"
    ws = await connect(url, origin=ORIGIN, **CONNECT)  # type: ignore[arg-type]
    peer = Peer(ws, "customer", f"c{index}", stats, cap)
    peer.chats = [created["request_id"]]
    hello = {
        "type": "hello",
        "request_id": created["request_id"],
        "token": created["customer_token"],
        "last_seq": 0,
    }
    await ws.send(json.dumps(hello))
    await asyncio.wait_for(peer.welcome.wait(), 60)
    return peer


async def tapline_desk(base: str, token: str, index: int, stats: Stats, cap: int) -> Peer:
    """A specialist's desk: the session cookie, hello, and presence `available`."""
    url = base.replace("http", "ws", 1) + "/ws/specialist"
    headers = {"Cookie": f"tapline_desk={token}"}
    ws = await connect(url, origin=base, additional_headers=headers, **CONNECT)  # type: ignore[arg-type]
    peer = Peer(ws, "specialist", f"s{index}", stats, cap)
    await ws.send(json.dumps({"type": "hello", "last_seq": 0}))
    await asyncio.wait_for(peer.welcome.wait(), 60)
    answer = await peer.write({"type": "presence", "status": "available"})
    if answer["type"] != "ack":
        raise RuntimeError(f"presence: {answer.get('code')}")
    return peer


async def relay_peer(
    url: str, role: str, index: int, pairs: list[str], stats: Stats, cap: int
) -> Peer:
    """A socket on the bare relay, holding `pairs` (one for a customer)."""
    ws = await connect(url, **CONNECT)  # type: ignore[arg-type]
    peer = Peer(ws, role, f"{role[0]}{index}", stats, cap)
    await ws.send(json.dumps({"type": "hello", "side": role, "pairs": pairs}))
    await asyncio.wait_for(peer.welcome.wait(), 60)
    peer.chats = list(pairs)
    peer.connected.set()
    return peer
