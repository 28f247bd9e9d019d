"""Fixtures shared by the server tests: a real database (SQLite and PostgreSQL) and an app."""

from __future__ import annotations

import asyncio
import functools
import secrets
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import asyncpg
import pytest

from support import ORIGIN, PASSWORD, PG_URL, START, World
from tapline.actions import provision
from tapline.actions.provision import add_app, add_specialist, ensure_queue
from tapline.engine import FakeClock
from tapline.lib.passwords import hash_password
from tapline.settings import Settings
from tapline.store.database import make_engine, make_sessionmaker
from tapline.store.models import App, Specialist


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings on a fresh database of each kind. PostgreSQL gets a schema of its own."""
    base = dict(
        data_dir=tmp_path,
        secret_key="test-secret-" + "x" * 32,
        public_origin="http://testserver",
        offer_timeout=30.0,
        customer_grace=120.0,
        specialist_grace=0.0,
    )
    if request.param == "sqlite":
        yield Settings(**base)
        return
    schema = "t_" + secrets.token_hex(6)
    asyncio.run(pg(f"CREATE SCHEMA {schema}"))
    try:
        yield Settings(**base, database_url=PG_URL, database_schema=schema)
    finally:
        asyncio.run(pg(f"DROP SCHEMA {schema} CASCADE"))


async def pg(sql: str) -> None:
    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@functools.cache
def _hash_once(password: str) -> str:
    """argon2id is slow on purpose; the seed needs the same hash in every test."""
    return hash_password(password)


async def _seed(settings: Settings) -> tuple[App, dict[str, Specialist]]:
    engine = make_engine(settings.db_url, settings.database_schema)
    try:
        from tapline.store.migrate import upgrade

        await upgrade(engine)
        with mock.patch.object(provision, "hash_password", _hash_once):
            async with make_sessionmaker(engine)() as session, session.begin():
                app = await add_app(session, "Shop", [ORIGIN])
                await ensure_queue(session, "General", "support")
                people = {}
                for key, name in (("ana", "Ana Ferreira"), ("ben", "Ben Okafor")):
                    people[key] = await add_specialist(
                        session,
                        email=f"{key}@example.com",
                        name=name,
                        password=PASSWORD,
                        role="Payments specialist",
                        skills={"support": 3},
                        capacity=2,
                    )
        return app, people
    finally:
        await engine.dispose()


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    """A running app (see `support.World`) with a FakeClock at `START`."""
    app_row, people = asyncio.run(_seed(settings))
    world = World(settings, FakeClock(START), app_row, people)
    world.start()
    try:
        yield world
    finally:
        world.stop()
