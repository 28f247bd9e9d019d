"""The chaos suite, longer: faults over and over for a while, then the same checks.

    .venv/bin/python bench/chaos.py --seconds 60 --customers 20 --faults drops,kill,outage,vanish

Each fault runs against a fresh node (and database) for `--seconds`, while `--customers`
customers talk to the desks one conversation after another (`--lines` lines each). Faults
repeat until the time is up; then the conversations under way finish, every client catches
up, and the database and every client's view are checked (tests/chaos/checks.py): no
acknowledged message lost, duplicated or reordered, no double assignment, an outcome or a
place for every request, every client told every change. It prints a table of faults
injected and messages checked, then every problem found; exit status 1 if any.

Faults: `drops` (random sockets on both sides closed abruptly), `kill` (kill -9 of the node
and a restart, SQLite and PostgreSQL), `outage` (PostgreSQL cut off by a proxy for longer
than both graces, sockets dropped meanwhile), `stall` (PostgreSQL stops answering: packets
held, nothing refused), `vanish` (desks die one by one for good; their chats go to others),
`node` (two nodes on one PostgreSQL schema and Redis, clients on both; kill -9 of the owner,
then of the follower, over and over, each restarted: the clients move to the other node).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the harness lives with the tests, before bench/

from chaos.checks import Report  # noqa: E402
from chaos.scenario import Plan, Run, new_owner  # noqa: E402

FAULTS = ("drops", "kill", "outage", "stall", "vanish", "node")
POSTGRES_ONLY = ("outage", "stall", "node")
GRACE = 2.0  # seconds, both graces, where an outage must outlast them


def drops_every(pause: float, deadline: float) -> object:
    async def fault(run: Run) -> None:
        rng = random.Random(1)
        while time.monotonic() < deadline:
            await asyncio.sleep(pause * (0.5 + rng.random()))
            live = run.live()
            if live:
                chosen = rng.choice(live)
                if chosen.drop():
                    run.report.faults[f"drop {chosen.role}"] += 1

    return fault


def kills_every(pause: float, deadline: float) -> object:
    async def fault(run: Run) -> None:
        while time.monotonic() + pause < deadline:
            await asyncio.sleep(pause)
            run.node.kill()
            run.report.faults["kill -9"] += 1
            await asyncio.sleep(0.3)
            await run.node.start()

    return fault


def node_kills_every(pause: float, down: float, deadline: float) -> object:
    """Every `pause` s: kill -9 the owner, then (next time) the follower, and so on; the
    killed node starts again `down` s later (after a new owner is found, for the owner)."""

    async def fault(run: Run) -> None:
        loop = asyncio.get_running_loop()
        kinds = ("owner", "follower")
        index = 0
        while time.monotonic() + pause < deadline:
            await asyncio.sleep(pause)
            role = kinds[index % 2]
            index += 1
            victim = (await run.roles())[role]
            victim.kill()
            killed = loop.time()
            run.report.faults[f"kill -9 {role}"] += 1
            if role == "owner":
                run.report.takeovers.append(await new_owner(run, victim) - killed)
            await asyncio.sleep(max(0.0, killed + down - loop.time()))
            await victim.start()

    return fault


def outages_every(pause: float, length: float, deadline: float, stall: bool) -> object:
    async def fault(run: Run) -> None:
        assert run.proxy is not None
        rng = random.Random(2)
        while time.monotonic() + pause + length < deadline:
            await asyncio.sleep(pause)
            if stall:
                run.proxy.stall()
                run.report.faults[f"database stall {length:g} s"] += 1
            else:
                run.proxy.cut()
                run.report.faults[f"database outage {length:g} s"] += 1
            health = asyncio.create_task(_sample_health(run, length))
            await asyncio.sleep(length / 3)
            customers = [c for c in run.customers if c.ws is not None and not c.stopping]
            for customer in rng.sample(customers, min(2, len(customers))):
                if customer.drop():
                    run.report.faults["drop customer during outage"] += 1
            desks = [d for d in run.specialists if d.ws is not None and not d.stopping]
            if desks and rng.choice(desks).drop():
                run.report.faults["drop specialist during outage"] += 1
            await asyncio.sleep(length * 2 / 3)
            run.proxy.restore()
            await health

    return fault


async def _sample_health(run: Run, length: float) -> None:
    """/healthz once a second while the database is gone: what does the node say?"""
    loop = asyncio.get_running_loop()
    end = loop.time() + length
    while loop.time() < end:
        try:
            answer = await run.http.get(f"{run.node.base}/healthz", timeout=length)
            run.report.health[str(answer.status_code)] += 1
        except Exception as error:
            run.report.health[type(error).__name__] += 1
        await asyncio.sleep(1.0)


def vanish_every(pause: float, deadline: float, keep: int) -> object:
    async def fault(run: Run) -> None:
        while time.monotonic() + pause < deadline:
            await asyncio.sleep(pause)
            alive = [d for d in run.specialists if not d.vanished]
            if len(alive) <= keep:
                return
            busiest = max(alive, key=lambda d: len(d.current))
            busiest.vanish()
            run.report.faults["desk vanished"] += 1

    return fault


async def one(fault: str, db: str, args: argparse.Namespace, workdir: Path) -> tuple[Report, float]:
    vanishes = max(1, int(args.seconds // 10)) if fault == "vanish" else 0
    settings: dict[str, str | float] = {}
    if fault in ("outage", "stall"):
        settings = {"customer_grace": GRACE, "specialist_grace": GRACE}
    elif fault == "vanish":
        settings = {"specialist_grace": GRACE}
    elif fault == "node":
        settings = {}  # the default graces: 30 s for a desk, 120 s for a customer
    else:
        settings = {"specialist_grace": 10}
    desks = args.desks + vanishes
    plan = Plan(
        db=db,
        customers=args.customers,
        desks=desks,
        capacity=max(3, -(-args.customers // args.desks) + 1),
        lines=args.lines,
        pause=args.pause,
        seconds=args.seconds,
        proxy=fault in ("outage", "stall"),
        nodes=2 if fault == "node" else 1,
        backoff=0.5 if fault in ("outage", "stall") else 1.0,
        settings=settings,
    )
    started = time.monotonic()
    deadline = started + args.seconds
    if fault == "drops":
        injector = drops_every(0.5, deadline)
    elif fault == "kill":
        injector = kills_every(max(5.0, args.seconds / 6), deadline)
    elif fault == "node":
        injector = node_kills_every(max(5.0, args.seconds / 8), 0.5, deadline)
    elif fault in ("outage", "stall"):
        injector = outages_every(4.0, 6.0, deadline, stall=fault == "stall")
    else:
        injector = vanish_every(args.seconds / (vanishes + 1), deadline, keep=args.desks)
    async with Run(plan, workdir) as run:
        try:
            await run.conversations(injector)  # type: ignore[arg-type]
        except TimeoutError:
            run.report.problem(
                "a conversation did not finish within its guard (a client waited 60 s for "
                "something it expected); node logs:\n" + run.tails(20)
            )
        report = await run.finish()
    return report, time.monotonic() - started


def table(rows: list[tuple[str, str, Report, float]]) -> str:
    head = (
        "fault", "db", "s", "requests", "faults", "messages", "acked", "events",
        "handovers", "outcomes", "problems",
    )  # fmt: skip
    lines = [head]
    for fault, db, report, took in rows:
        outcomes = " ".join(f"{k}={v}" for k, v in sorted(report.outcomes.items()))
        lines.append(
            (
                fault, db, f"{took:.0f}", str(report.requests), str(sum(report.faults.values())),
                str(report.messages), str(report.acked), str(report.events),
                str(report.handovers), outcomes, str(len(report.problems)),
            )
        )  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines
    )


async def main(args: argparse.Namespace) -> int:
    rows = []
    for fault in args.faults:
        for db in args.db:
            if fault in POSTGRES_ONLY and db != "postgres":
                continue  # the proxy stands before PostgreSQL; several nodes share it
            print(f"-- {fault} on {db} for {args.seconds:g} s …", flush=True)
            if args.keep:  # the node's log and SQLite file stay (a PostgreSQL schema not)
                workdir = Path(tempfile.mkdtemp(prefix=f"chaos-{fault}-{db}-", dir=args.keep))
                print(f"   in {workdir}", flush=True)
                report, took = await one(fault, db, args, workdir)
            else:
                with tempfile.TemporaryDirectory(prefix=f"chaos-{fault}-") as tmp:
                    report, took = await one(fault, db, args, Path(tmp))
            print(report.summary(), flush=True)
            rows.append((fault, db, report, took))
    print()
    print(table(rows))
    problems = sum(len(r.problems) for _, _, r, _ in rows)
    print(f"\n{problems} problems" if problems else "\nno problems")
    return 1 if problems else 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per fault and database")
    parser.add_argument("--customers", type=int, default=20, help="talking at once")
    parser.add_argument("--faults", default="drops,kill,outage,vanish,node", help=", ".join(FAULTS))
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--desks", type=int, default=3, help="that stay (vanish adds more)")
    parser.add_argument("--lines", type=int, default=8, help="each customer says")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between lines")
    parser.add_argument("--keep", help="keep each run's directory (log, SQLite) under this")
    args = parser.parse_args(argv)
    args.faults = [f for f in args.faults.split(",") if f]
    args.db = [d for d in args.db.split(",") if d]
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults {sorted(unknown)}; choose from {', '.join(FAULTS)}")
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
