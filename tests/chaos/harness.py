"""Servers to break: a seeded database, `tapline serve` processes, and a TCP proxy to cut.

Each run gets a fresh data directory and, on PostgreSQL, a fresh schema that is dropped
afterwards (never another schema: other suites share the database). The app, the queue and
the specialists with desk sessions are written straight into the database before a node
starts, as `bench/loadlib/nodes.py` does (a desk sign-in costs an argon2 check).

A node is a real process: `kill()` is `kill -9`, and `start()` again serves the same data on
the same port, so clients reconnect to the same URL. `Proxy` sits between a node and
PostgreSQL; `cut()` resets every connection through it and refuses new ones until
`restore()`: to the node the database is really gone (the network), not mocked.

Several nodes share one schema and the real Redis (`node_env(redis=…)`); each has its own
port and `TAPLINE_NODE_URL`, and `role()` reads what its `/healthz` says (owner/follower).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO

import asyncpg
import httpx2

ROOT = Path(__file__).resolve().parents[2]
TAPLINE = ROOT / ".venv" / "bin" / "tapline"
PG_URL = os.environ.get("TAPLINE_TEST_PG", "postgresql://root@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TAPLINE_TEST_REDIS", "redis://127.0.0.1:6379/0")
ORIGIN = "https://shop.chaos.example"  # the app's allowed origin: where customers come from
PASSWORD = "chaos-suite-password"
START_TIMEOUT = 90.0  # real seconds for a node to answer /healthz: a hang guard


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Desk:
    """A seeded specialist: who they are and a desk session token for the cookie."""

    id: str
    name: str
    token: str


@dataclass
class Database:
    """Where a run's data lives: SQLite in `workdir`, or a fresh PostgreSQL schema."""

    kind: str  # sqlite | postgres
    workdir: Path
    schema: str | None = None
    # One key per run: a node of another run that finds this run's owner (see
    # test_lease_per_schema.py) then exits saying so, rather than forwarding to it.
    secret: str = field(default_factory=lambda: "chaos-" + secrets.token_urlsafe(32))

    @property
    def url(self) -> str:
        """The URL this process reads with (SQLAlchemy async)."""
        if self.kind == "sqlite":
            return f"sqlite+aiosqlite:///{(self.workdir / 'data' / 'tapline.db').resolve()}"
        return PG_URL.replace("postgresql://", "postgresql+asyncpg://", 1)

    async def create(self) -> None:
        (self.workdir / "data").mkdir(parents=True, exist_ok=True)
        if self.kind == "postgres":
            self.schema = "chaos_" + secrets.token_hex(5)
            await pg(f"CREATE SCHEMA {self.schema}")

    async def drop(self) -> None:
        if self.schema:
            await pg(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            self.schema = None

    async def seed(self, specialists: int, capacity: int) -> tuple[str, list[Desk]]:
        """Migrate, then the app, the queue `General` and the specialists. (app key, desks)"""
        from tapline.actions.provision import add_app, add_specialist, ensure_queue
        from tapline.lib.passwords import DESK_PREFIX, hash_password, new_token, token_hash
        from tapline.store.database import make_engine, make_sessionmaker
        from tapline.store.migrate import upgrade
        from tapline.store.models import DeskSession, new_id, utcnow

        engine = make_engine(self.url, self.schema)
        hashed = await asyncio.to_thread(hash_password, PASSWORD)  # once: argon2 is slow
        desks = []
        try:
            await upgrade(engine)
            async with make_sessionmaker(engine)() as session, session.begin():
                app = await add_app(session, "Chaos", [ORIGIN])
                await ensure_queue(session, "General", "support")
                for index in range(specialists):
                    name = f"Desk {chr(ord('A') + index)}"
                    row = await add_specialist(
                        session,
                        email=f"desk{index}@chaos.example",
                        name=name,
                        password=PASSWORD,
                        password_hash=hashed,
                        skills={"support": 3},
                        capacity=capacity,
                    )
                    token = new_token(DESK_PREFIX)
                    session.add(
                        DeskSession(
                            id=new_id("ds"),
                            token_hash=token_hash(token),
                            csrf=secrets.token_urlsafe(32),
                            specialist_id=row.id,
                            expires_at=utcnow() + timedelta(hours=12),
                        )
                    )
                    desks.append(Desk(row.id, name, token))
            return app.public_key, desks
        finally:
            await engine.dispose()


async def pg(sql: str) -> None:
    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@dataclass
class Node:
    """One `tapline serve` process on a fixed port; started again after `kill()`."""

    name: str
    workdir: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0
    _log: IO[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    async def start(self) -> None:
        self._spawn()
        await self.healthy()

    def _spawn(self) -> None:
        self.starts += 1
        self._close_log()
        self._log = self.log_path.open("ab")
        self._log.write(f"\n===== start {self.starts} =====\n".encode())
        self._log.flush()
        env = {**self.env, "TAPLINE_PORT": str(self.port), "TAPLINE_NODE_URL": self.base}
        self.proc = subprocess.Popen(
            [str(TAPLINE), "serve"], env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    async def healthy(self, guard: float = START_TIMEOUT) -> None:
        """Wait until /healthz answers 200 (bounded; a hang guard, not a timing check)."""
        async with httpx2.AsyncClient(trust_env=False, timeout=3) as http:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + guard
            while loop.time() < deadline:
                if self.proc is None or self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited:\n{self.tail()}")
                with contextlib.suppress(httpx2.HTTPError):
                    if (await http.get(f"{self.base}/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} not healthy after {guard:.0f} s:\n{self.tail()}")

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def role(self, http: httpx2.AsyncClient) -> str | None:
        """What /healthz says: `owner`, `follower` (several nodes), `ok`/503, or None."""
        if not self.alive:
            return None
        try:
            answer = await http.get(f"{self.base}/healthz", timeout=3)
        except httpx2.HTTPError:
            return None
        if answer.status_code != 200:
            return str(answer.status_code)
        return str(answer.json().get("role") or "ok")

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, no goodbye to any socket."""
        assert self.proc is not None
        self.kills += 1
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def node_env(
    database: Database,
    *,
    db_port: int | None = None,
    redis: str | None = None,
    **settings: str | float,
) -> dict[str, str]:
    """A node's environment: ours without any TAPLINE_* the caller had, plus `settings`.

    `db_port` sends the node's PostgreSQL connections through a `Proxy` on that port;
    `redis` makes it one of several nodes on the schema (the server prefixes its channels
    per schema, so runs sharing one Redis never hear each other).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAPLINE_")}
    env.update(
        TAPLINE_HOST="127.0.0.1",
        TAPLINE_DATA_DIR=str(database.workdir / "data"),
        TAPLINE_SECRET_KEY=database.secret,
        TAPLINE_LOG_LEVEL="warning",
    )
    if database.kind == "postgres":
        url = PG_URL
        if db_port is not None:
            url = url.replace("@127.0.0.1:5432", f"@127.0.0.1:{db_port}")
            assert str(db_port) in url, "TAPLINE_TEST_PG must name 127.0.0.1:5432"
        env["TAPLINE_DATABASE_URL"] = url
        assert database.schema is not None
        env["TAPLINE_DATABASE_SCHEMA"] = database.schema
    if redis is not None:
        assert database.kind == "postgres", "several nodes share PostgreSQL"
        env["TAPLINE_REDIS_URL"] = redis
    for key, value in {**raised_limits(), **settings}.items():
        env[f"TAPLINE_{key.upper()}"] = str(value)
    return env


def raised_limits() -> dict[str, int]:
    """Abuse limits per address, raised: every client here comes from 127.0.0.1 (only
    those this build has)."""
    from tapline.settings import Settings

    wanted = {"requests_per_address": 1_000_000, "sockets_per_address": 1_000_000}
    return {k: v for k, v in wanted.items() if k in Settings.model_fields}


class Proxy:
    """A TCP proxy to PostgreSQL in this process: `cut()` makes the database unreachable.

    While cut, every connection through it is reset and new ones are accepted and reset at
    once (as a database host that went away). `stall()` is the other kind of loss: nothing
    is refused, nothing answers (packets dropped on the way), until `restore()`. Only the
    node's connections pass here, so other suites' schemas and sessions are never touched.
    """

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.target = target
        self.port = 0
        self.down = False
        self.cuts = 0
        self._server: asyncio.Server | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.stalls = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def cut(self) -> None:
        self.down = True
        self.cuts += 1
        for pair in list(self._pairs):
            for writer in pair:
                _reset(writer)
        self._pairs.clear()

    def stall(self) -> None:
        self.stalls += 1
        self.flowing.clear()

    def restore(self) -> None:
        self.down = False
        self.flowing.set()

    async def close(self) -> None:
        self.cut()
        self.flowing.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.flowing.wait()
        if self.down:
            _reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _reset(writer)
            return
        pair = (writer, up_writer)
        self._pairs.add(pair)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(_pipe(source, sink, pair, self.flowing))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


async def _pipe(
    source: asyncio.StreamReader,
    sink: asyncio.StreamWriter,
    pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
    flowing: asyncio.Event,
) -> None:
    try:
        while data := await source.read(65536):
            await flowing.wait()  # stalled: held, as by a network that drops packets
            sink.write(data)
            await sink.drain()
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        for writer in pair:
            _reset(writer)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close at once, unsent data dropped (an RST where the platform does so)."""
    transport = writer.transport
    if not transport.is_closing():
        transport.abort()
