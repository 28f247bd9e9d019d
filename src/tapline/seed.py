"""Setting up apps, specialists and queues: used by the CLI and the demo."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tapline.models import App, Queue, RoutingRules, Shift, Specialist, new_id
from tapline.passwords import MIN_PASSWORD, hash_password

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


async def add_app(
    session: AsyncSession, name: str, origins: list[str], app_id: str | None = None
) -> App:
    app = App(
        id=app_id or new_id("a"),
        name=name,
        public_key="pk_" + secrets.token_hex(12),
        secret="sk_" + secrets.token_urlsafe(32),
        origins=[o.rstrip("/") for o in origins],
    )
    session.add(app)
    await session.flush()
    return app


async def add_specialist(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password: str,
    role: str = "Specialist",
    skills: dict[str, int] | None = None,
    capacity: int = 3,
    supervisor: bool = False,
    password_hash: str | None = None,
) -> Specialist:
    """A new specialist. `password_hash` is the password hashed already (argon2 is slow on
    purpose: the server hashes off the event loop, before it takes the engine's lock)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"A password needs at least {MIN_PASSWORD} characters.")
    email = email.strip().lower()
    taken = await session.scalar(select(Specialist.id).where(func.lower(Specialist.email) == email))
    if taken is not None:
        raise ValueError(f"A specialist with the email {email} already exists.")
    specialist = Specialist(
        id=new_id("s"),
        email=email,
        name=name,
        role=role,
        password_hash=password_hash or hash_password(password),
        skills=skills or {"support": 3},
        capacity=capacity,
        is_supervisor=supervisor,
    )
    session.add(specialist)
    await session.flush()
    return specialist


async def ensure_queue(session: AsyncSession, name: str, skill: str) -> Queue:
    queue = await session.scalar(select(Queue).where(Queue.name == name))
    if queue is None:
        queue = Queue(id=new_id("q"), name=name, skill=skill)
        session.add(queue)
        await session.flush()
    return queue


async def seed_demo(session: AsyncSession, origins: list[str]) -> tuple[App, list[DemoSignIn]]:
    """The SkyWay airline, its queue and its specialists; safe to run again."""
    from tapline.pages import DEMO_APP_ID

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
