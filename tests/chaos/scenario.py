"""A run: a seeded database, its node(s), desks and customers in conversation, and faults.

`Run` is an async context manager. Inside it, `conversations(*faults)` lets every customer
talk to a specialist until resolved while the fault coroutines break things; then
`finish()` waits (bounded) until every live client has been told everything, stops them,
reads the database and checks it (`checks.check`). The faults are here too, so the tests
and `bench/chaos.py` inject them the same way. Faults wait for progress (lines
acknowledged), not for a time, so they land mid-conversation on a slow machine too.

With `Plan(nodes=2)` the run has two nodes on one PostgreSQL schema and the real Redis; the
customers and desks are spread over them (the i-th on node i mod n) and each client holds
the list of nodes, moving to the next when its own refuses it (a load balancer).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from chaos.checks import Report, check, read_log, stream_ends
from chaos.clients import WAIT, Customer, Specialist
from chaos.harness import REDIS_URL, Database, Node, Proxy, node_env

Fault = Callable[["Run"], Awaitable[None]]
SETTLE = 30.0  # real seconds for every client to catch up with the log: a hang guard


@dataclass
class Plan:
    db: str = "sqlite"  # sqlite | postgres
    customers: int = 6
    desks: int = 2
    capacity: int = 6  # chats per desk
    lines: int = 5  # each customer's messages
    pause: float = 0.15  # real seconds between a customer's lines, and before an answer
    seconds: float = 0.0  # 0: one conversation per customer; else new ones until then
    proxy: bool = False  # the node reaches PostgreSQL through a `Proxy` to cut
    nodes: int = 1  # several: PostgreSQL + Redis, one owner of the engine, the others forward
    backoff: float = 1.0  # clients' longest pause between reconnection attempts
    settings: dict[str, str | float] = field(default_factory=dict)  # TAPLINE_* for the node


class Run:
    def __init__(self, plan: Plan, workdir: Path) -> None:
        self.plan = plan
        self.workdir = workdir
        self.database = Database(plan.db, workdir)
        self.proxy: Proxy | None = None
        self.report = Report()
        self.tally = self.report.tally
        self.customers: list[Customer] = []
        self.specialists: list[Specialist] = []
        self.app = ""
        self.node: Node  # the first node
        self.nodes: list[Node] = []
        self.http: httpx2.AsyncClient
        self._made = 0

    async def __aenter__(self) -> Run:
        await self.database.create()
        try:
            self.app, desks = await self.database.seed(self.plan.desks, self.plan.capacity)
            if self.plan.proxy:
                self.proxy = Proxy()
                await self.proxy.start()
            port = self.proxy.port if self.proxy else None
            redis = REDIS_URL if self.plan.nodes > 1 else None
            env = node_env(self.database, db_port=port, redis=redis, **self.plan.settings)
            names = (
                ["node"] if self.plan.nodes == 1 else [chr(97 + i) for i in range(self.plan.nodes)]
            )
            self.nodes = [Node(name, self.workdir, env) for name in names]
            self.node = self.nodes[0]
            self.http = httpx2.AsyncClient(trust_env=False, timeout=10)
            for node in self.nodes:
                await node.start()
            if len(self.nodes) > 1:
                await self.roles()  # one owner before any client comes
            for index, desk in enumerate(desks):
                specialist = Specialist(
                    self.spread(index), desk, self.tally, self.plan.pause, backoff=self.plan.backoff
                )
                specialist.start()
                self.specialists.append(specialist)
            async with asyncio.timeout(WAIT):
                for specialist in self.specialists:
                    await specialist.welcomed.wait()
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._close()

    async def _close(self) -> None:
        for client in [*self.customers, *self.specialists]:
            await client.stop()
        if hasattr(self, "http"):
            await self.http.aclose()
        for node in self.nodes:
            node.stop()
        if self.proxy is not None:
            await self.proxy.close()
        await self.database.drop()

    def spread(self, index: int) -> list[Node]:
        """The node list of the index-th client: it starts on node index mod n."""
        n = len(self.nodes)
        return [self.nodes[(index + k) % n] for k in range(n)]

    async def roles(self, guard: float = SETTLE) -> dict[str, Node]:
        """Wait (bounded) until every live node answers and exactly one owns the engine;
        {role: node} for the live ones (several nodes)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + guard
        seen: list[str | None] = []
        while loop.time() < deadline:
            live = [n for n in self.nodes if n.alive]
            seen = [await n.role(self.http) for n in live]
            if seen.count("owner") == 1 and all(r in ("owner", "follower") for r in seen):
                return {role: node for role, node in zip(seen, live, strict=True) if role}
            await asyncio.sleep(0.1)
        raise TimeoutError(f"no single owner within {guard:.0f} s: roles {seen}")

    def tails(self, lines: int = 40) -> str:
        return "\n".join(f"--- {n.name} log ---\n{n.tail(lines)}" for n in self.nodes)

    # -- the workload ---------------------------------------------------------------------
    def lines_acked(self) -> int:
        return sum(1 for c in self.customers for f, _ in c.acked if f["type"] == "message")

    async def progress(self, lines: int) -> None:
        """Wait until customers have had `lines` messages acknowledged in all (bounded)."""
        async with asyncio.timeout(WAIT * 2):
            while self.lines_acked() < lines:  # noqa: ASYNC110
                await asyncio.sleep(0.02)

    def live(self) -> list[Customer | Specialist]:
        """Clients whose socket is open now and that are still in the play."""
        return [
            c for c in [*self.customers, *self.specialists] if c.ws is not None and not c.stopping
        ]

    async def conversations(self, *faults: Fault) -> None:
        """Every customer's conversation(s), with the faults running beside them."""
        breaking = [asyncio.create_task(fault(self)) for fault in faults]
        try:
            talk = asyncio.gather(*(self._slot(i) for i in range(self.plan.customers)))
            await talk
            for task in breaking:  # faults stop by themselves; a long one is not waited for
                if not task.done():
                    task.cancel()
            results = await asyncio.gather(*breaking, return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException) and not isinstance(
                    result, asyncio.CancelledError
                ):
                    raise result
        finally:
            for task in breaking:
                task.cancel()
            if self.proxy is not None:
                self.proxy.restore()

    async def _slot(self, index: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.plan.seconds
        while True:
            self._made += 1
            customer = Customer(
                self.spread(index),
                self.app,
                f"c{self._made}",
                self.tally,
                self.plan.lines,
                self.plan.pause,
                backoff=self.plan.backoff,
            )
            self.customers.append(customer)
            await customer.ask(self.http)
            customer.start()
            try:
                await customer.converse()
                await self._caught_up([customer])
            except TimeoutError:
                self.report.problem(self.stuck(customer))
            await customer.stop()
            if loop.time() >= deadline:
                return

    async def _caught_up(self, clients: list[Any]) -> None:
        """Wait (bounded) until each client has applied its stream through the log's end."""
        from tapline.store.database import make_engine

        engine = make_engine(self.database.url, self.database.schema)
        try:
            async with asyncio.timeout(SETTLE):
                while True:
                    ends = await stream_ends(engine, [_stream(c) for c in clients])
                    if all(c.cursor >= ends[_stream(c)] for c in clients):
                        return
                    await asyncio.sleep(0.2)
        finally:
            await engine.dispose()

    def stuck(self, customer: Customer) -> str:
        """What a conversation that never finished looked like, for the report."""
        said = sum(1 for f, _ in customer.acked if f["type"] == "message")
        states = [(e["seq"], e["state"]) for e in customer.states]
        desks = "; ".join(
            f"{d.name} holds {sorted(d.current)} offers seen {sum(d.accepts.values())}"
            f"{' (vanished)' if d.vanished else ''} outbox {sorted(d.outbox)}"
            for d in self.specialists
        )
        return (
            f"{customer.request_id} ({customer.name}) never finished: told {states}, "
            f"{said} lines acked, at seq {customer.cursor}, outbox {sorted(customer.outbox)}; "
            f"desks: {desks}"
        )

    async def finish(self) -> Report:
        """Let every live desk catch up, stop everyone, and check the database."""
        alive = [s for s in self.specialists if not s.vanished]
        with contextlib.suppress(TimeoutError):  # if not, `check` names who was not told
            await self._caught_up(alive)
        for client in [*self.customers, *self.specialists]:
            await client.stop()
        log = await read_log(self.database)
        check(log, self.customers, self.specialists, self.report)
        return self.report


def _stream(client: Customer | Specialist) -> str:
    if isinstance(client, Customer):
        return f"customer:{client.request_id}"
    return f"specialist:{client.desk.id}"


# -- faults -------------------------------------------------------------------------------
def drops(count: int, start: int = 2, every: int = 1) -> Fault:
    """Close `count` random sockets abruptly (customers and desks), one per `every` lines."""

    async def fault(run: Run) -> None:
        for index in range(count):
            await run.progress(start + index * every)
            chosen = random.Random(index).choice(run.live() or [None])
            if chosen is not None and chosen.drop():
                run.report.faults[f"drop {chosen.role}"] += 1

    return fault


def kills(count: int, start: int = 3, every: int = 6) -> Fault:
    """kill -9 the node `count` times, mid-conversation, and start it again each time."""

    async def fault(run: Run) -> None:
        for index in range(count):
            await run.progress(start + index * every)
            run.node.kill()
            run.report.faults["kill -9"] += 1
            await asyncio.sleep(0.3)
            await run.node.start()

    return fault


def outage(seconds: float, start: int = 3, drop_customers: int = 0) -> Fault:
    """Cut the node's database (real network loss) for `seconds`, once, mid-conversation.

    While it is cut, `drop_customers` customers lose their socket too and can come back
    only once the node serves again.
    """

    async def fault(run: Run) -> None:
        assert run.proxy is not None, "an outage needs Plan(proxy=True)"
        await run.progress(start)
        run.proxy.cut()
        run.report.faults[f"database outage {seconds:g} s"] += 1
        await asyncio.sleep(min(1.0, seconds / 3))
        customers = [c for c in run.customers if c.ws is not None and not c.stopping]
        for customer in customers[:drop_customers]:
            if customer.drop():
                run.report.faults["drop customer during outage"] += 1
        await asyncio.sleep(seconds - min(1.0, seconds / 3))
        run.proxy.restore()

    return fault


def vanish(desk: int = 0, start: int = 2) -> Fault:
    """Once desk `desk` holds a chat and some lines were said, its socket dies for good."""

    async def fault(run: Run) -> None:
        await run.progress(start)
        specialist = run.specialists[desk]
        async with asyncio.timeout(WAIT):
            while not specialist.current:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        specialist.vanish()
        run.report.faults["desk vanished"] += 1

    return fault


def node_kills(
    which: list[str], start: int = 3, every: int = 6, down: float = 0.5, after: float = 0.0
) -> Fault:
    """kill -9 one of several nodes per entry of `which` (`owner` or `follower`), each once
    `start + i * every` lines were acknowledged (and at least `after` real seconds after the
    previous restart), then start it again `down` seconds later on the same port. Before each
    kill the nodes must agree on one owner; after an owner's kill the time until a live node
    says `owner` is kept (`report.takeovers`)."""

    async def fault(run: Run) -> None:
        loop = asyncio.get_running_loop()
        for index, role in enumerate(which):
            await run.progress(start + index * every)
            await asyncio.sleep(after)
            roles = await run.roles()
            victim = roles[role]
            victim.kill()
            killed = loop.time()
            run.report.faults[f"kill -9 {role}"] += 1
            if role == "owner":
                taken = await new_owner(run, victim)
                run.report.takeovers.append(taken - killed)
            await asyncio.sleep(max(0.0, killed + down - loop.time()))
            await victim.start()

    return fault


async def new_owner(run: Run, gone: Node) -> float:
    """When another live node first says `owner` (bounded by SETTLE)."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(SETTLE):
        while True:
            for node in run.nodes:
                if node is not gone and await node.role(run.http) == "owner":
                    return loop.time()
            await asyncio.sleep(0.05)
