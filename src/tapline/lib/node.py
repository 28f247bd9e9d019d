"""This process's part among several nodes (docs/deploy.md, docs/subsystems/nodes.md).

One node owns the engine: it holds the lease (`tapline.store.lease`), writes every batch on the
lease's connection, and runs the ticker. Every other node serves sockets and pages all the
same, reads the log itself, and forwards each write to the owner over HTTP
(`tapline.web.internal`), with its sockets' attendance. When the owner goes, its lease goes
with its connection, and the first node to take it rebuilds the engine from the database
within a second or two: clients that were on the old owner reconnect anywhere and resume.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx2
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from tapline.errors import Unavailable
from tapline.lib.desk_sessions import SIGNOUT_CHANNEL, close_sockets
from tapline.lib.here import REPORT_EVERY
from tapline.lib.runtime import Runtime
from tapline.store import lease

log = logging.getLogger("tapline.node")
ELECT_EVERY = 1.0
"""How often a node that does not own the engine tries to take the lease."""
FORWARD_TIMEOUT = 10.0
FORWARD_CONNECTIONS = 512
SIGNATURE = "x-tapline-node-signature"
NODE = "x-tapline-node"


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), b"tapline-internal\n" + body, hashlib.sha256).hexdigest()


def signed(secret: str, body: bytes, signature: str | None) -> bool:
    return signature is not None and hmac.compare_digest(sign(secret, body), signature)


class Node:
    """Owner or follower; `owner_started` and `owner_stopping` run the owner's part."""

    def __init__(
        self,
        rt: Runtime,
        owner_started: Callable[[], Awaitable[None]],
        owner_stopping: Callable[[], Awaitable[None]],
    ) -> None:
        self.rt = rt
        self.id = f"{os.uname().nodename}-{os.getpid()}-{secrets.token_hex(3)}"
        self.url = rt.settings.own_url()
        self.secret = rt.settings.secret()
        self.schema = rt.settings.database_schema
        self._owner_started = owner_started
        self._owner_stopping = owner_stopping
        self.owns = False
        self._connection: AsyncConnection | None = None
        self._owner: lease.Owner | None = None
        self._owner_read_at = 0.0
        # One connection per write in flight: a follower with many sockets forwards many at
        # once, and a wait for a connection is not an outage.
        self._client = httpx2.AsyncClient(
            timeout=httpx2.Timeout(FORWARD_TIMEOUT, pool=None),
            limits=httpx2.Limits(max_connections=FORWARD_CONNECTIONS, max_keepalive_connections=64),
        )
        self._report_now = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.forwarded = 0
        self.forward_failures = 0

    # Life.

    async def start(self) -> None:
        await self._elect()
        self._tasks = [
            asyncio.create_task(self._elect_forever()),
            asyncio.create_task(self._report_forever()),
            asyncio.create_task(self._hear_signouts()),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.owns:
            await self._step_down("shutting down")
        await self._client.aclose()

    def status(self) -> dict[str, Any]:
        owner = self._owner.url if self._owner else None
        return {
            "node": self.id,
            "role": "owner" if self.owns else "follower",
            "owner": self.url if self.owns else owner,
            "forwarded": self.forwarded,
            "forward_failures": self.forward_failures,
        }

    # Owning the engine.

    async def _elect_forever(self) -> None:
        while True:
            await asyncio.sleep(ELECT_EVERY)
            if not self.owns:
                try:
                    await self._elect()
                except Exception as error:  # the database is away: try again
                    log.warning("could not try for the lease: %s", type(error).__name__)

    async def _elect(self) -> None:
        connection = await lease.try_acquire(self.rt.db, self.url, self.secret, self.schema)
        if connection is None:
            await self._check_owner_key()
            return
        log.info("this node (%s) owns the engine now", self.url)
        self._connection = connection
        self.owns = True
        writer = self.rt.writer
        writer.sessions = async_sessionmaker(bind=connection, expire_on_commit=False)
        writer.standby = None
        await self._owner_started()

    async def lost(self) -> None:
        """The writer's batch failed: find out whether the lease is still ours."""
        connection = self._connection
        try:
            if connection is not None and await lease.holds(connection, self.schema):
                return  # a failure of the database, not of the lease: the rebuild follows
        except Exception as error:
            log.warning("the lease's connection failed: %s", type(error).__name__)
        await self._step_down("lost the lease")
        raise Unavailable("This node no longer owns the engine.")

    async def _step_down(self, why: str) -> None:
        log.warning("this node stops owning the engine: %s", why)
        self.owns = False
        self.rt.writer.standby = "another node owns the engine"
        await self._owner_stopping()
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
        self.rt.writer.sessions = self.rt.sessions

    async def _check_owner_key(self) -> None:
        found = await lease.owner(self.rt.db, self.schema)
        if found is not None and found.fingerprint != lease.fingerprint(self.secret):
            raise SystemExit(
                "This node's TAPLINE_SECRET_KEY differs from the owner's "
                f"({found.url}): every node must share one secret key."
            )
        self._owner, self._owner_read_at = found, time.monotonic()

    # Forwarding to the owner.

    async def owner_url(self) -> str:
        if self._owner is None or time.monotonic() - self._owner_read_at > 5.0:
            await self._check_owner_key()
        if self._owner is None:
            raise Unavailable("No node owns the engine at this moment.")
        return self._owner.url

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST a signed call to the owner; `unavailable` when it cannot be reached."""
        body = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
        headers = {
            "content-type": "application/json",
            SIGNATURE: sign(self.secret, body),
            NODE: self.id,
        }
        try:
            url = await self.owner_url()
            response = await self._client.post(f"{url}{path}", content=body, headers=headers)
        except (httpx2.HTTPError, OSError) as error:
            self.forward_failures += 1
            self._owner = None  # look again next time: it may have moved
            raise Unavailable("The node that owns the engine cannot be reached.") from error
        if response.status_code != 200:
            self.forward_failures += 1
            self._owner = None
            raise Unavailable("The node that owns the engine refused the call.")
        self.forwarded += 1
        answer: dict[str, Any] = response.json()
        return answer

    async def pass_on(
        self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> httpx2.Response:
        """A REST call as the client made it, to the owner (whose answer is the answer)."""
        try:
            response = await self._client.request(method, url, headers=headers, content=body)
        except (httpx2.HTTPError, OSError) as error:
            self.forward_failures += 1
            self._owner = None
            raise Unavailable("The node that owns the engine cannot be reached.") from error
        self.forwarded += 1
        return response

    async def _hear_signouts(self) -> None:
        """Desk sessions ended on any node: close this node's sockets of them."""
        subscription = self.rt.bus.subscribe({SIGNOUT_CHANNEL})
        try:
            while True:
                frame = await subscription.get()
                specialist_id = frame.get("specialist_id")
                if isinstance(specialist_id, str):
                    close_sockets(
                        self.rt, specialist_id, frame.get("session_id"), frame.get("keep")
                    )
        finally:
            subscription.close()

    # Attendance reports.

    def report_soon(self) -> None:
        self._report_now.set()

    async def _report_forever(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(REPORT_EVERY):
                    await self._report_now.wait()
            self._report_now.clear()
            if self.owns:
                continue
            try:
                await self.call("/internal/v1/attendance", self._report())
            except Unavailable:
                continue  # the next one goes in REPORT_EVERY; the owner keeps the last

    def _report(self) -> dict[str, Any]:
        rt = self.rt
        return {
            "node": self.id,
            "customers": sorted(k for k, n in rt.customer_sockets.items() if n > 0),
            "desks": sorted(k for k, n in rt.desk_sockets.items() if n > 0),
            "visible": sorted(k for k, n in rt.attendance.visible.items() if n > 0),
            "watching": bool(rt.bus.listeners("desk:wallboard")),
        }


async def forward_frame(rt: Runtime, payload: dict[str, Any]) -> dict[str, Any] | None:
    """Send a socket's frame to the owner; None when this node owns the engine (run it here)."""
    node = rt.node
    if node is None or node.owns:
        return None
    try:
        return await node.call("/internal/v1/frame", payload)
    except Unavailable as error:
        return {"error": {"code": error.code, "message": error.message, "retry_after": 2.0}}


async def said_hello(rt: Runtime, payload: dict[str, Any]) -> dict[str, Any] | None:
    """Tell the owner a socket said hello here; None when this node owns the engine."""
    node = rt.node
    if node is None or node.owns:
        return None
    try:
        return await node.call("/internal/v1/hello", payload)
    except Unavailable:
        return {}  # the estimate comes with the next push; the queues with the next change
