"""Chaos on real `tapline serve` processes: drops, kill -9 (of one node, or of one of two),
a database outage, a lost desk.

Every test checks the same things after its run (`checks`): no acknowledged message lost,
duplicated or reordered in any view; no request with two specialists at once; every
request ends with an outcome or waits; every client told every change. Each also checks
what its fault must (not) change. Bounded: faults are counted, waits have guards; nothing
asserts how long anything took. Each prints its report (pytest -s, or on failure).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chaos.scenario import Plan, Run, drops, kills, node_kills, outage, vanish


def _report(run: Run, title: str) -> None:
    report = run.report
    print(f"\n== {title}\n{report.summary()}")
    assert not report.problems, report.summary() + "\n" + run.tails()


async def test_random_drops_on_both_sides(tmp_path: Path) -> None:
    """Customers and desks lose their sockets mid-conversation and come back."""
    plan = Plan(customers=6, desks=2, lines=6, settings={"specialist_grace": 10})
    async with Run(plan, tmp_path) as run:
        await run.conversations(drops(count=12, start=2, every=2))
        report = await run.finish()
    _report(run, "random drops")
    assert sum(n for kind, n in report.faults.items() if kind.startswith("drop")) >= 6
    assert report.outcomes == {"resolved": plan.customers}
    assert report.handovers == 0  # every desk came back within its grace


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_kill_9_and_restart(db: str, tmp_path: Path) -> None:
    """The node dies without warning mid-conversation, twice; started again, nothing is lost."""
    plan = Plan(db=db, customers=6, desks=2, lines=6)
    async with Run(plan, tmp_path) as run:
        await run.conversations(kills(count=2, start=4, every=12))
        report = await run.finish()
        assert run.node.kills == 2
    _report(run, f"kill -9 on {db}")
    assert report.outcomes == {"resolved": plan.customers}
    assert report.handovers == 0  # connected chats stay with their desk across a restart


@pytest.mark.postgres
async def test_database_outage_longer_than_both_graces(tmp_path: Path) -> None:
    """PostgreSQL unreachable for 6 s with 2 s graces: nothing is decided while it lasts.

    Writes are refused `unavailable` and resent; sockets stay open; two customers lose their
    socket during the outage and come back once the node serves again. No chat is handed
    over or ended: every request is resolved by the desk that first took it.
    """
    plan = Plan(
        db="postgres",
        proxy=True,
        customers=6,
        desks=2,
        lines=6,
        backoff=0.5,
        settings={"customer_grace": 2, "specialist_grace": 2},
    )
    async with Run(plan, tmp_path) as run:
        await run.conversations(outage(6.0, start=4, drop_customers=2))
        report = await run.finish()
    _report(run, "database outage")
    assert run.tally.retried["unavailable"] > 0  # the outage was felt: writes were refused
    assert report.outcomes == {"resolved": plan.customers}
    assert report.handovers == 0


async def test_a_specialist_vanishes(tmp_path: Path) -> None:
    """A desk dies for good: its chats wait again, the customers are told, another desk
    takes them with the whole thread, and they end resolved."""
    plan = Plan(customers=4, desks=2, lines=5, settings={"specialist_grace": 1.5})
    async with Run(plan, tmp_path) as run:
        await run.conversations(vanish(desk=0, start=3))
        report = await run.finish()
    _report(run, "a specialist vanishes")
    gone, other = run.specialists
    lost = {h.request_id for h in gone.holdings if not h.resolved_by_me}
    assert lost, "the vanished desk held no unresolved chat"
    assert report.outcomes == {"resolved": plan.customers}
    for customer in run.customers:
        if customer.request_id not in lost:
            continue
        told = [(e["state"], (e.get("specialist") or {}).get("name")) for e in customer.states]
        assert ("waiting", None) in told, told
        after = told[told.index(("waiting", None)) :]
        assert ("connected", other.desk.name) in after, told
        taken = [h for h in other.holdings if h.request_id == customer.request_id]
        assert taken and taken[-1].resolved_by_me


@pytest.mark.postgres
async def test_one_of_two_nodes_killed(tmp_path: Path) -> None:
    """Two nodes on one schema and Redis, customers and desks on both. The owner of the
    engine is killed, then the follower, then each again, every time restarted: the other
    node takes the engine over, the clients of the dead node move to the other one and
    resume, and nothing acknowledged is lost; no chat changes hands."""
    # New conversations for 20 s, so that every kill lands mid-conversation: each takes a
    # few seconds (a takeover, a restart) while the other node's clients go on talking.
    plan = Plan(db="postgres", nodes=2, customers=6, desks=2, lines=6, seconds=20)
    kinds = ["owner", "follower", "owner", "follower"]
    async with Run(plan, tmp_path) as run:
        await run.conversations(node_kills(kinds, start=3, every=15))
        report = await run.finish()
        assert [n.kills for n in run.nodes] != [0, 0]
        assert sum(n.kills for n in run.nodes) == len(kinds)
    _report(run, "one of two nodes killed")
    assert len(report.takeovers) == 2  # a live node said `owner` after each owner's kill
    assert run.tally.moved_connects > 0  # clients came back on the other node
    assert set(report.outcomes) == {"resolved"}
    assert report.handovers == 0  # desks back within their grace: chats keep their desk
