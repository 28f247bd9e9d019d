"""The SkyWay demo airline's data: its app, queues, routing rules and specialists, with the
passwords `tapline demo` prints. Invented people, for the demo only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tapline.actions.provision import add_app, add_specialist, ensure_queue
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
DEMO_RULES = """\
tier_claim = "tier"

[tiers]
plus = 10

[[rule]]
name = "booking payment"
when = 'flow == "booking" and step == "payment"'
queue = "Payments"
skills = { payments = 3 }
authority = ["refund_limit >= context.data.credits"]

[default]
queue = "General"
"""
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
    if await session.scalar(select(RoutingRules.id).limit(1)) is None:
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
