"""The demo's seed: the rules that keep simulated customers off the people's desks, brought to
a database seeded before them, and the simulated specialists, seeded again each run."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from tapline.demo import seed
from tapline.lib.passwords import verify_password
from tapline.settings import Settings
from tapline.store.database import make_engine, make_sessionmaker
from tapline.store.migrate import upgrade
from tapline.store.models import RoutingRules, Specialist


async def _seed(
    data: Path, rules: str | None, bots: int, password: str
) -> tuple[str, list[Specialist]]:
    engine = make_engine(Settings(data_dir=data).db_url)
    try:
        await upgrade(engine)
        async with make_sessionmaker(engine)() as session, session.begin():
            if rules is not None:
                session.add(RoutingRules(toml=rules))
                await session.flush()
            await seed.seed_demo(session, ["http://127.0.0.1:8000"])
            await seed.seed_bots(session, bots, password)
        async with make_sessionmaker(engine)() as session:
            latest = await session.scalar(
                select(RoutingRules.toml).order_by(RoutingRules.id.desc())
            )
            people = list(await session.scalars(select(Specialist).order_by(Specialist.email)))
        assert latest is not None
        return latest, people
    finally:
        await engine.dispose()


def test_a_demo_seeded_before_busy_gets_the_simulated_customers_rule(tmp_path: Path) -> None:
    latest, _ = asyncio.run(_seed(tmp_path, seed._RULES_BEFORE_BUSY, 1, "sim-password-1"))
    assert latest == seed.DEMO_RULES
    assert 'authority = ["refund_limit >= context.data.credits", "simulated == true"]' in latest


def test_rules_a_supervisor_changed_are_left_alone(tmp_path: Path) -> None:
    mine = seed._RULES_BEFORE_BUSY.replace("payments = 3", "payments = 4")
    latest, _ = asyncio.run(_seed(tmp_path, mine, 1, "sim-password-1"))
    assert latest == mine


def test_simulated_specialists_are_marked_and_take_this_runs_password(tmp_path: Path) -> None:
    asyncio.run(_seed(tmp_path, None, 2, "first-run-password"))
    _, people = asyncio.run(_seed(tmp_path, None, 3, "second-run-password"))
    bots = [p for p in people if p.role == seed.SIM_ROLE]
    assert sorted(b.name for b in bots) == ["Sim · Mei", "Sim · Priya", "Sim · Tomás"]
    for bot in bots:
        assert (bot.skills, bot.authority, bot.capacity) == (seed.SIM_SKILLS, seed.SIM_AUTHORITY, 1)
        assert verify_password(bot.password_hash, "second-run-password")
        assert not bot.is_supervisor
    assert {p.name for p in people} - {b.name for b in bots} == {
        "Ana Ferreira",
        "Ben Okafor",
        "Sofia Lind",
    }
