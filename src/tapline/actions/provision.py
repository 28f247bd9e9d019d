"""Setting up apps, specialists and queues with a session of their own: the `tapline` command's
`app` and `specialist` commands, the demo's seed, and the servers' own setup of a database.

A running server's supervisors make these changes through `config.py` and `staff.py`, which
also bring the engine along; `staff.create_specialist` builds on `add_specialist` here.
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tapline.lib.passwords import MIN_PASSWORD, hash_password
from tapline.store.models import App, Queue, Specialist, new_id


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


async def set_verified_only(session: AsyncSession, app_ref: str, verified_only: bool) -> App | None:
    """Whether the app takes requests only from customers with a valid signed token; the app
    is named by its id or its public key (None: no such app)."""
    row = await session.scalar(select(App).where(or_(App.id == app_ref, App.public_key == app_ref)))
    if row is not None:
        row.verified_only = verified_only
    return row
