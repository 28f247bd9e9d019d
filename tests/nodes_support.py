"""Several real `tapline serve` processes on one PostgreSQL schema and one Redis, on loopback.

`Cluster` seeds a fresh schema (an app, a queue, Ana and Ben), starts nodes as processes
and can kill them with SIGKILL. `Client` is a real WebSocket (the `websockets` library) read
by a thread into a list, with bounded waits for the frames a test expects.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import httpx2
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from chaos.harness import START_TIMEOUT, free_port, pg
from support import GUARD, ORIGIN, PASSWORD, PG_URL
from tapline.actions import provision
from tapline.actions.provision import add_app, add_specialist, ensure_queue
from tapline.lib.passwords import hash_password
from tapline.store.database import make_engine, make_sessionmaker
from tapline.store.migrate import upgrade

SRC = Path(__file__).resolve().parents[1] / "src"
REDIS_URL = os.environ.get("TAPLINE_TEST_REDIS", "redis://127.0.0.1:6379/0")
Frame = dict[str, Any]


def wait_for(condition: Callable[[], Any], what: str, guard: float = GUARD) -> Any:
    """Poll `condition` until it is truthy; fail after `guard` seconds (a hang guard)."""
    deadline = time.monotonic() + guard
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {guard} s: {what}")
        time.sleep(0.05)


@dataclass
class Node:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def health(self) -> dict[str, Any]:
        try:
            response = httpx2.get(f"{self.http}/healthz", timeout=5)
        except httpx2.HTTPError:
            return {}
        body: dict[str, Any] = response.json() if response.status_code in (200, 503) else {}
        return body

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Cluster:
    workdir: Path
    schema: str = field(default_factory=lambda: "n_" + secrets.token_hex(6))
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(40))
    nodes: list[Node] = field(default_factory=list)
    app_key: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)
    """A desk token's CSRF value."""

    def seed(self) -> None:
        asyncio.run(_seed(self))

    def env(self, **overrides: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("TAPLINE_")}
        return {
            **base,
            "PYTHONPATH": str(SRC),
            "TAPLINE_DATABASE_URL": PG_URL,
            "TAPLINE_DATABASE_SCHEMA": self.schema,
            "TAPLINE_REDIS_URL": REDIS_URL,
            "TAPLINE_SECRET_KEY": self.secret,
            "TAPLINE_SPECIALIST_GRACE": "30",
            "TAPLINE_CUSTOMER_GRACE": "120",
            "TAPLINE_LOG_LEVEL": "warning",
            **self.extra_env,
            **overrides,
        }

    def start(self, name: str, wait: bool = True, **env: str) -> Node:
        port = free_port()
        data = self.workdir / name
        data.mkdir(exist_ok=True)
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:  # the child keeps its own copy
            proc = subprocess.Popen(
                [sys.executable, "-m", "tapline", "serve"],
                env={**self.env(**env), "TAPLINE_DATA_DIR": str(data), "TAPLINE_PORT": str(port)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        node = Node(name, port, proc, log)
        self.nodes.append(node)
        if wait:
            healthy = f"{name} healthy\n{log}"
            wait_for(lambda: node.health().get("status") == "ok", healthy, START_TIMEOUT)
        return node

    def owner(self) -> Node:
        return wait_for(
            lambda: next((n for n in self.live() if n.health().get("role") == "owner"), None),
            "a node owning the engine",
        )

    def live(self) -> list[Node]:
        return [node for node in self.nodes if node.proc.poll() is None]

    def kill(self, node: Node) -> None:
        node.proc.send_signal(signal.SIGKILL)
        node.proc.wait(10)

    def stop(self) -> None:
        for node in self.nodes:
            if node.proc.poll() is None:
                node.proc.terminate()
        for node in self.nodes:
            try:
                node.proc.wait(20)
            except subprocess.TimeoutExpired:
                node.proc.kill()
        asyncio.run(_drop(self.schema))

    # Clients.

    def ask(self, node: Node, client_id: str, description: str = "Which is charged?") -> Frame:
        response = httpx2.post(
            f"{node.http}/api/v1/requests?app={self.app_key}",
            headers={"Origin": ORIGIN},
            json={"id": client_id, "description": description},
            timeout=GUARD,
        )
        assert response.status_code == 201, response.text
        created: Frame = response.json()
        return created

    def signin(self, node: Node, who: str) -> str:
        response = httpx2.post(
            f"{node.http}/api/v1/desk/signin",
            headers={"Origin": node.http},
            json={"email": f"{who}@example.com", "password": PASSWORD},
            timeout=GUARD,
        )
        assert response.status_code == 200, response.text
        self.csrf[str(response.cookies["tapline_desk"])] = str(response.json()["csrf"])
        return str(response.cookies["tapline_desk"])

    @contextmanager
    def desk(self, node: Node, token: str, last_seq: int = 0) -> Iterator[Client]:
        ws = connect(
            f"{node.ws}/ws/specialist",
            origin=node.http,  # type: ignore[arg-type]
            additional_headers={"Cookie": f"tapline_desk={token}"},
        )
        with Client(ws) as client:
            client.send({"type": "hello", "last_seq": last_seq})
            client.until("welcome")
            yield client

    @contextmanager
    def widget(self, node: Node, created: Frame, last_seq: int = 0) -> Iterator[Client]:
        ws = connect(
            f"{node.ws}/ws/customer?app={self.app_key}",
            origin=ORIGIN,  # type: ignore[arg-type]
        )
        with Client(ws) as client:
            client.send(
                {
                    "type": "hello",
                    "request_id": created["request_id"],
                    "token": created["customer_token"],
                    "last_seq": last_seq,
                }
            )
            client.until("welcome")
            yield client


class Client:
    """A WebSocket read by a thread: every frame is kept, in order, in `frames`."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Frame] = []
        self.closed = threading.Event()
        self._claimed: set[int] = set()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.ws.close()
        self._thread.join(10)

    def _read(self) -> None:
        try:
            for text in self.ws:
                self.frames.append(json.loads(text))
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()

    def send(self, frame: Frame) -> None:
        self.ws.send(json.dumps(frame))

    def until(self, type_: str, **fields: Any) -> Frame:
        """The first frame not returned before of `type_` whose `fields` match."""

        def found() -> Frame | None:
            for index, frame in enumerate(list(self.frames)):
                if index in self._claimed or frame.get("type") != type_:
                    continue
                if all(_get(frame, key) == value for key, value in fields.items()):
                    self._claimed.add(index)
                    return frame
            return None

        return wait_for(found, f"{type_} {fields}; seen {self.frames[-5:]}")  # type: ignore[no-any-return]

    def write(self, frame: Frame) -> Frame:
        """Send a write until it is acknowledged, resending after a retryable refusal."""
        deadline = time.monotonic() + GUARD
        while True:
            self.send(frame)
            answer = wait_for(lambda: self._answer(frame["id"]), f"answer to {frame['id']}")
            if answer["type"] == "ack":
                return answer
            if answer.get("retry_after") is None or time.monotonic() > deadline:
                raise AssertionError(f"{frame['id']} refused: {answer}")
            time.sleep(min(float(answer["retry_after"]), 0.5))

    def _answer(self, frame_id: str) -> Frame | None:
        for index, frame in enumerate(list(self.frames)):
            if index in self._claimed:
                continue
            matches = frame.get("type") == "ack" and frame.get("id") == frame_id
            if matches or (frame.get("type") == "error" and frame.get("ref") == frame_id):
                self._claimed.add(index)
                return frame
        return None

    def events(self, type_: str) -> list[Frame]:
        return [f for f in list(self.frames) if f.get("type") == type_ and "seq" in f]


def _get(frame: Frame, path: str) -> Any:
    value: Any = frame
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


async def _seed(cluster: Cluster) -> None:
    await pg(f"CREATE SCHEMA {cluster.schema}")
    engine = make_engine(_async(PG_URL), cluster.schema)
    try:
        await upgrade(engine)
        with mock.patch.object(provision, "hash_password", lambda p: HASHED):
            async with make_sessionmaker(engine)() as session, session.begin():
                app = await add_app(session, "Shop", [ORIGIN])
                await ensure_queue(session, "General", "support")
                for key, name in (("ana", "Ana Ferreira"), ("ben", "Ben Okafor")):
                    await add_specialist(
                        session,
                        email=f"{key}@example.com",
                        name=name,
                        password=PASSWORD,
                        skills={"support": 3},
                        capacity=2,
                    )
        cluster.app_key = app.public_key
    finally:
        await engine.dispose()


HASHED = hash_password(PASSWORD)


def _async(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def _drop(schema: str) -> None:
    await pg(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
