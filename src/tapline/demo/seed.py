"""The SkyWay demo airline's data: its app, queues, routing rules and specialists, with the
passwords `tapline demo` prints. Invented people, for the demo only."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tapline.actions.provision import add_app, add_specialist, ensure_queue
from tapline.lib.passwords import hash_password
from tapline.store.models import App, RoutingRules, Shift, Specialist, new_id

DEMO_APP_ID = "a_skyway"
DEMO_PASSWORD = "skyway-demo-2026"


@dataclass
class DemoSignIn:
    name: str
    role: str
    email: str
    password: str


DEMO_SPECIALISTS = [
    (
        "Ana Ferreira",
        "Payments specialist",
        "ana@skyway.example",
        {"support": 4, "payments": 5},
        {"refund_limit": 500, "can_override_fare": True},
    ),
    (
        "Ben Okafor",
        "Booking specialist",
        "ben@skyway.example",
        {"support": 4, "booking": 4, "payments": 2},
        {"refund_limit": 100},
    ),
    ("Sofia Lind", "Support supervisor", "sofia@skyway.example", {"support": 5}, {}),
]

# The seed story's payment step goes to someone who may move refund credits: the issue's
# example rule. Queue names stand for queues.
_TIERS = """\
tier_claim = "tier"

[tiers]
plus = 10

"""
_STORY_RULES = """\
[[rule]]
name = "booking payment"
when = 'flow == "booking" and step == "payment"'
queue = "Payments"
skills = { payments = 3 }
authority = ["refund_limit >= context.data.credits"]

[default]
queue = "General"
"""
# `tapline demo --busy`'s simulated customers wait in the same line, but only the simulated
# specialists may take them (authority is never widened away): Ana, Ben and Sofia get only
# real requests.
SIM_RULE = """\
[[rule]]
name = "simulated customers (tapline demo --busy)"
when = 'flow == "booking" and step == "payment" and data.simulated == true'
queue = "Payments"
skills = { payments = 3 }
authority = ["refund_limit >= context.data.credits", "simulated == true"]

"""
DEMO_RULES = _TIERS + SIM_RULE + _STORY_RULES
_RULES_BEFORE_BUSY = _TIERS + _STORY_RULES
"""The rules as seeded before `--busy`: a demo database still on them gets DEMO_RULES."""
EVERY_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def seed_demo(session: AsyncSession, origins: list[str]) -> tuple[App, list[DemoSignIn]]:
    """The SkyWay airline, its queue and its specialists; safe to run again."""
    app = await session.get(App, DEMO_APP_ID)
    if app is None:
        app = await add_app(session, "SkyWay", origins, app_id=DEMO_APP_ID)
    else:
        app.origins = sorted({*app.origins, *(o.rstrip("/") for o in origins)})
    general = await ensure_queue(session, "General", "support")
    payments = await ensure_queue(session, "Payments", "payments")
    general.timezone = payments.timezone = "Europe/Lisbon"
    payments.priority, payments.sticky_seconds = 10, 120.0
    payments.widen_t1, payments.widen_t2 = 120.0, 300.0
    payments.fallback_queue_id = general.id
    rules = await session.scalar(select(RoutingRules.toml).order_by(RoutingRules.id.desc()))
    if rules is None or rules == _RULES_BEFORE_BUSY:
        session.add(RoutingRules(toml=DEMO_RULES))
    sign_ins = []
    for name, role, email, skills, authority in DEMO_SPECIALISTS:
        exists = await session.scalar(select(Specialist).where(Specialist.email == email))
        if exists is None:
            exists = await add_specialist(
                session,
                email=email,
                name=name,
                password=DEMO_PASSWORD,
                role=role,
                skills=skills,
                supervisor="supervisor" in role,
            )
            exists.authority = authority
            session.add(
                Shift(
                    id=new_id("sh"),
                    specialist_id=exists.id,
                    timezone="Europe/Lisbon",
                    weekly=EVERY_DAY,
                )
            )
        sign_ins.append(DemoSignIn(name, role, email, DEMO_PASSWORD))
    return app, sign_ins


SIM_ROLE = "Simulated specialist"
SIM_SPECIALISTS = [
    ("Sim · Priya", "priya@sim.skyway.example"),
    ("Sim · Tomás", "tomas@sim.skyway.example"),
    ("Sim · Mei", "mei@sim.skyway.example"),
    ("Sim · Kofi", "kofi@sim.skyway.example"),
    ("Sim · Lena", "lena@sim.skyway.example"),
    ("Sim · Omar", "omar@sim.skyway.example"),
]
"""`tapline demo --busy`'s specialists (at most `Settings.demo_bots`, 6): named and given a role
as simulated, with no shifts, so slots never count on them once the demo stops."""
SIM_SKILLS = {"payments": 4}
SIM_AUTHORITY = {"refund_limit": 500, "simulated": True}


async def seed_bots(session: AsyncSession, count: int, password: str) -> list[DemoSignIn]:
    """The first `count` simulated specialists, signing in with `password` (made per run)."""
    hashed = await asyncio.to_thread(hash_password, password)
    sign_ins = []
    for name, email in SIM_SPECIALISTS[:count]:
        row = await session.scalar(select(Specialist).where(Specialist.email == email))
        if row is None:
            row = await add_specialist(
                session, email=email, name=name, password=password, password_hash=hashed
            )
        # Who they are and what they may do, as the busy demo needs, whatever was changed.
        row.name, row.role, row.password_hash = name, SIM_ROLE, hashed
        row.skills, row.authority, row.capacity = dict(SIM_SKILLS), dict(SIM_AUTHORITY), 1
        sign_ins.append(DemoSignIn(name, SIM_ROLE, email, password))
    return sign_ins
