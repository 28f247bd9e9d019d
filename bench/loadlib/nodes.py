"""The servers under load: tapline nodes (`tapline serve`) or the bare relay, each a process.

Each run gets a fresh data directory and, on PostgreSQL, a fresh schema that is dropped
afterwards. The app, the queue, the specialists and their desk sessions are written straight
into the database with the project's own seed helpers before the nodes start (a desk sign-in
costs an argon2 check; the bench measures chat, not sign-in).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TAPLINE = ROOT / ".venv" / "bin" / "tapline"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PASSWORD = "load-bench-password"


class NotAvailable(Exception):
    """This configuration cannot run on this build; the message says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Seeded:
    app: str  # the app's public key
    tokens: list[str]  # one desk session token per specialist


@dataclass
class Process:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@dataclass
class Servers:
    """What a configuration runs: one or two tapline nodes, or the relay."""

    kind: str  # sqlite | postgres | cluster | relay
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)
    schema: str | None = None
    pg_url: str = ""

    @property
    def pids(self) -> list[int]:
        return [p.proc.pid for p in self.processes]

    def start_relay(self) -> None:
        port = free_port()
        log = self.workdir / "relay.log"
        command = [sys.executable, str(ROOT / "bench" / "relay.py"), "--port", str(port)]
        proc = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        self.processes.append(Process("relay", port, proc, log))
        _wait_listening(self.processes[-1])

    def start_node(self, name: str, config: Path | None = None) -> Process:
        port = free_port()
        data = self.workdir / name
        data.mkdir(exist_ok=True)
        env = {**self.env, "TAPLINE_DATA_DIR": str(data), "TAPLINE_PORT": str(port)}
        if "TAPLINE_REDIS_URL" in env:  # one of several nodes: how the others reach it
            env["TAPLINE_NODE_URL"] = f"http://127.0.0.1:{port}"
        command = [str(TAPLINE), "serve"] + (["--config", str(config)] if config else [])
        log = self.workdir / f"{name}.log"
        proc = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        node = Process(name, port, proc, log)
        self.processes.append(node)
        _wait_healthy(node)
        return node

    def stop(self) -> None:
        for process in self.processes:
            process.stop()
        if self.schema:
            asyncio.run(_pg(self.pg_url, f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
            self.schema = None


def roles(servers: Servers, timeout: float = 30.0) -> dict[str, str]:
    """Each node's role from /healthz (`owner` or `follower`), once exactly one owns."""
    import httpx2

    deadline = time.monotonic() + timeout
    seen: dict[str, str] = {}
    while time.monotonic() < deadline:
        seen = {}
        for node in servers.processes:
            try:
                answer = httpx2.get(f"{node.base}/healthz", timeout=3, trust_env=False)
                seen[node.name] = str(answer.json().get("role", answer.status_code))
            except (httpx2.HTTPError, ValueError) as error:
                seen[node.name] = type(error).__name__
        if list(seen.values()).count("owner") == 1:
            return seen
        time.sleep(0.2)
    raise RuntimeError(f"no single owner of the engine after {timeout:.0f} s: {seen}")


def limits(rate: float, per: int, sockets: int) -> dict[str, str]:
    """The settings the bench raises so that its own load is not refused as abuse: every
    frame rate above what a socket sends, and the per-address limits above the sockets and
    requests it makes (they all come from 127.0.0.1). Only settings this build has."""
    from tapline.settings import Settings

    frames = max(100.0, 4 * rate * per)
    wanted = {
        "frame_rate": frames,
        "frame_burst": int(2 * frames),
        "desk_frame_rate": max(200.0, frames),
        "desk_frame_burst": int(max(400.0, 2 * frames)),
        "requests_per_address": 10 * sockets,
        "sockets_per_address": 10 * sockets,
    }
    return {
        f"TAPLINE_{name.upper()}": f"{value:g}"
        for name, value in wanted.items()
        if name in Settings.model_fields
    }


def server_env(
    workdir: Path, database: str | None, schema: str | None, raised: dict[str, str]
) -> dict[str, str]:
    """The nodes' environment: ours, without any TAPLINE_* setting the caller had set."""
    from tapline.settings import Settings

    fields = {f"TAPLINE_{name.upper()}" for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k not in fields}
    env.update(
        raised,
        TAPLINE_HOST="127.0.0.1",
        TAPLINE_SECRET_KEY=(workdir / "secret").read_text(),
        TAPLINE_LOG_LEVEL="warning",  # no access log line per request
    )
    if database:
        env["TAPLINE_DATABASE_URL"] = database
    if schema:
        env["TAPLINE_DATABASE_SCHEMA"] = schema
    return env


async def create_schema(pg_url: str) -> str:
    schema = "bench_" + secrets.token_hex(5)
    await _pg(pg_url, f"CREATE SCHEMA {schema}")
    return schema


async def _pg(pg_url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(pg_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def seed(db_url: str, schema: str | None, specialists: int, per: int, origin: str) -> Seeded:
    """Migrate, then one app, the queue `General` and the specialists with desk sessions."""
    from tapline.actions.provision import add_app, add_specialist, ensure_queue
    from tapline.lib.passwords import DESK_PREFIX, hash_password, new_token, token_hash
    from tapline.store.database import make_engine, make_sessionmaker
    from tapline.store.migrate import upgrade
    from tapline.store.models import DeskSession, new_id, utcnow

    engine = make_engine(db_url, schema)
    hashed = hash_password(PASSWORD)  # once: argon2 is slow on purpose
    tokens = []
    try:
        await upgrade(engine)
        async with make_sessionmaker(engine)() as session, session.begin():
            app = await add_app(session, "Load bench", [origin])
            await ensure_queue(session, "General", "support")
            for index in range(specialists):
                row = await add_specialist(
                    session,
                    email=f"s{index}@bench.example",
                    name=f"Specialist {index}",
                    password=PASSWORD,
                    password_hash=hashed,
                    skills={"support": 3},
                    capacity=per,
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
                tokens.append(token)
        return Seeded(app.public_key, tokens)
    finally:
        await engine.dispose()


def _wait_healthy(node: Process, timeout: float = 90.0) -> None:
    import httpx2

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.proc.poll() is not None:
            raise NotAvailable(_refusal(node))
        try:
            if httpx2.get(f"{node.base}/healthz", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{node.name} not healthy after {timeout:.0f} s:\n{node.tail()}")


def _wait_listening(process: Process, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
        try:
            socket.create_connection(("127.0.0.1", process.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{process.name} not listening after {timeout:.0f} s")


def _refusal(node: Process) -> str:
    """Why a node exited at start: the settings' complaint if there is one, else its log."""
    lines = node.log.read_text(errors="replace").splitlines()
    for index, line in enumerate(lines):
        if "validation error" in line.lower():
            detail = " ".join(s.strip() for s in lines[index : index + 3])
            detail = re.sub(r"\s*\[type=.*", "", detail)  # pydantic's own details
            return f"node {node.name} exited at start: {detail}"
    return f"{node.name} exited at start ({node.proc.returncode}): " + " | ".join(lines[-3:])
