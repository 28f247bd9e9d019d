"""Fixtures shared by the server tests: a real database (SQLite and PostgreSQL) and an app."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from fastapi.testclient import TestClient

from tapline.app import create_app
from tapline.database import make_engine, make_sessionmaker
from tapline.engine import FakeClock
from tapline.models import App, Specialist
from tapline.seed import add_app, add_specialist, ensure_queue
from tapline.settings import Settings

PG_URL = os.environ.get("TAPLINE_TEST_PG", "postgresql://root@127.0.0.1:5432/test")
ORIGIN = "https://shop.example"
PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings on a fresh database of each kind. PostgreSQL gets a schema of its own."""
    base = dict(data_dir=tmp_path, secret_key="test-secret-" + "x" * 32,
                public_origin="http://testserver", offer_timeout=30.0,
                customer_grace=120.0, specialist_grace=0.0)
    if request.param == "sqlite":
        yield Settings(**base)
        return
    schema = "t_" + secrets.token_hex(6)
    asyncio.run(_pg(f"CREATE SCHEMA {schema}"))
    try:
        yield Settings(**base, database_url=PG_URL, database_schema=schema)
    finally:
        asyncio.run(_pg(f"DROP SCHEMA {schema} CASCADE"))


async def _pg(sql: str) -> None:
    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@dataclass
class World:
    """A running server with one app, one queue and specialists to sign in as."""

    client: TestClient
    clock: FakeClock
    app: App
    specialists: dict[str, Specialist]

    @property
    def rt(self):  # type: ignore[no-untyped-def]
        return self.client.app.state.rt  # type: ignore[attr-defined]


async def _seed(settings: Settings) -> tuple[App, dict[str, Specialist]]:
    engine = make_engine(settings.db_url, settings.database_schema)
    try:
        from tapline.migrate import upgrade

        await upgrade(engine)
        async with make_sessionmaker(engine)() as session, session.begin():
            app = await add_app(session, "Shop", [ORIGIN])
            await ensure_queue(session, "General", "support")
            people = {}
            for key, name in (("ana", "Ana Ferreira"), ("ben", "Ben Okafor")):
                people[key] = await add_specialist(
                    session, email=f"{key}@example.com", name=name, password=PASSWORD,
                    role="Payments specialist", skills={"support": 3}, capacity=2)
        return app, people
    finally:
        await engine.dispose()


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    app_row, people = asyncio.run(_seed(settings))
    clock = FakeClock(1_800_000_000.0)
    with TestClient(create_app(settings, clock=clock), base_url="http://testserver") as client:
        yield World(client, clock, app_row, people)
