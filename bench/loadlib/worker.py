"""One load-generator process: its share of the customers and desks, driven over a pipe.

The conversation with the parent (bench/load.py):
  parent -> ("customers",)                 after every process has opened its desks
  worker -> ("desks", opened)              then ("progress", customers connected, chats)
  parent -> ("go", start, from, to, drain) send from `start` to `to`; measure in [from, to]
  worker -> ("result", Stats)              after the drain; then it closes its sockets
A ("stop",) from the parent, or the pipe closing, ends the process early.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from typing import Any

from loadlib.clients import Peer, Stats, pace, relay_peer, tapline_customer, tapline_desk

Plan = dict[str, Any]
QUIET = 2.0  # seconds without a delivery before the worker reports


def main(conn: Connection, plan: Plan) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(Worker(conn, plan).run())
    else:
        uvloop.run(Worker(conn, plan).run())


class Worker:
    def __init__(self, conn: Connection, plan: Plan) -> None:
        self.conn, self.plan = conn, plan
        self.stats = Stats()
        self.customers: list[Peer] = []
        self.desks: list[Peer] = []
        self.commands: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self.http: Any = None

    async def run(self) -> None:
        asyncio.get_running_loop().add_reader(self.conn.fileno(), self.listen)
        os.set_blocking(self.conn.fileno(), True)  # add_reader made it non-blocking: the
        # result is larger than the pipe's buffer, and `listen` reads only when readable
        try:
            if self.plan["mode"] == "tapline":
                import httpx2

                self.http = httpx2.AsyncClient(trust_env=False, timeout=120)
            await self.gather(self.open_desk, self.plan["desks"])
            self.conn.send(("desks", len(self.desks)))
            if (await self.commands.get())[0] != "customers":
                return
            opening = asyncio.create_task(self.gather(self.open_customer, self.plan["customers"]))
            command = await self.report_progress()
            if command[0] == "go":
                await self.load(*command[1:])
                self.conn.send(("result", self.stats))
            opening.cancel()
        finally:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self.conn.fileno())
            await asyncio.gather(*(p.close() for p in self.customers + self.desks))
            if self.http is not None:
                await self.http.aclose()

    def listen(self) -> None:
        """Called by the loop when the pipe is readable (the parent's commands are small)."""
        try:
            command = self.conn.recv()
        except (EOFError, OSError):
            command = ("stop",)
        if command[0] == "stop":
            asyncio.get_running_loop().remove_reader(self.conn.fileno())
        self.commands.put_nowait(command)

    async def gather(self, opener: Callable[[Any], Awaitable[None]], items: list[Any]) -> None:
        """Open sockets, `concurrency` at a time; a failure is counted, not fatal."""
        gate = asyncio.Semaphore(self.plan["concurrency"])

        async def one(item: Any) -> None:
            async with gate:
                try:
                    await opener(item)
                except Exception as error:
                    self.stats.failures[f"{type(error).__name__}: {error}"[:120]] += 1

        await asyncio.gather(*(one(item) for item in items))

    async def open_desk(self, item: tuple[int, str, Any]) -> None:
        index, where, extra = item
        plan, stats = self.plan, self.stats
        if plan["mode"] == "relay":
            peer = await relay_peer(where, "specialist", index, extra, stats, plan["cap"])
        else:
            peer = await tapline_desk(where, extra, index, stats, plan["cap"])
        peer.node = plan.get("names", {}).get(where, "")
        self.desks.append(peer)

    async def open_customer(self, item: tuple[int, str, Any]) -> None:
        index, where, extra = item
        plan, stats = self.plan, self.stats
        if plan["mode"] == "relay":
            peer = await relay_peer(where, "customer", index, extra, stats, plan["cap"])
        else:
            peer = await tapline_customer(
                self.http, where, plan["app"], index, plan["run"], stats, plan["cap"]
            )
        peer.node = plan.get("names", {}).get(where, "")
        self.customers.append(peer)

    async def report_progress(self) -> tuple[Any, ...]:
        """Tell the parent how far the setup is, twice a second, until it says what next."""
        while True:
            connected = sum(p.connected.is_set() for p in self.customers)
            chats = sum(len(p.chats) for p in self.desks)
            self.conn.send(("progress", connected, chats, sum(self.stats.failures.values())))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.5):
                    return await self.commands.get()

    async def load(self, start: float, measure_from: float, stop: float, drain: float) -> None:
        """Every connected chat sends from both ends; then wait for the last acks."""
        self.stats.window = (measure_from, stop)
        rate = self.plan["rate"]
        senders = [
            pace(p, p.chats[0], rate, start, stop) for p in self.customers if p.connected.is_set()
        ]
        senders += [pace(p, chat, rate, start, stop) for p in self.desks for chat in p.chats]
        await asyncio.gather(*senders)
        peers = self.customers + self.desks
        while time.time() < stop + drain and any(p.pending for p in peers):  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        # The last deliveries: an ack says committed, not delivered (on several nodes the
        # peer's copy comes through the bus). Wait until none has come for QUIET seconds,
        # at most until the drain ends.
        received, quiet_since = self.stats.received, time.time()
        while time.time() < stop + drain:
            await asyncio.sleep(0.1)
            if self.stats.received != received:
                received, quiet_since = self.stats.received, time.time()
            elif time.time() - quiet_since >= QUIET:
                break
