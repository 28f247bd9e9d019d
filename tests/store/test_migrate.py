"""Migrations: an empty database comes up to head, matches the models, and goes back down."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tapline.settings import Settings
from tapline.store.database import make_engine
from tapline.store.migrate import alembic_config, current_tables, upgrade
from tapline.store.models import Base


def _run(settings: Settings, step: Any) -> Any:
    async def go() -> Any:
        engine = make_engine(settings.db_url, settings.database_schema)
        try:
            return await step(engine)
        finally:
            await engine.dispose()

    return asyncio.run(go())


async def _differences(engine: AsyncEngine) -> list[Any]:
    def compare(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


async def _downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    def run(connection: Any) -> None:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def _version(engine: AsyncEngine) -> str | None:
    def read(connection: Any) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def test_upgrade_creates_every_table_and_matches_the_models(settings: Settings) -> None:
    assert _run(settings, current_tables) == set()
    _run(settings, upgrade)
    assert _run(settings, current_tables) == {*Base.metadata.tables, "alembic_version"}
    assert _run(settings, _version) == _head()
    assert _run(settings, _differences) == []


def test_upgrade_again_changes_nothing(settings: Settings) -> None:
    _run(settings, upgrade)
    _run(settings, upgrade)
    assert _run(settings, _version) == _head()


def test_downgrade_to_base_removes_every_table_and_upgrade_restores_them(
    settings: Settings,
) -> None:
    _run(settings, upgrade)
    _run(settings, _downgrade)
    assert _run(settings, current_tables) == {"alembic_version"}
    assert _run(settings, _version) is None
    _run(settings, upgrade)
    assert _run(settings, _differences) == []


def test_every_revision_goes_down_and_up_one_step(settings: Settings) -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revisions = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert revisions[0] == "0001"
    for revision in revisions:
        _run(settings, lambda engine, revision=revision: upgrade(engine, revision))
        assert _run(settings, _version) == revision
    for previous in reversed(["base", *revisions[:-1]]):
        _run(settings, lambda engine, previous=previous: _downgrade(engine, previous))
        assert _run(settings, _version) == (None if previous == "base" else previous)


async def _specialists(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(text("SELECT * FROM specialists"))
        return [dict(row._mapping) for row in result]


async def _add_one(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO specialists (id, email, name, role, password_hash, skills, "
                "capacity, is_supervisor, created_at, authority, capacities) VALUES "
                "('sp_1', 'ana@example.com', 'Ana', 'Specialist', 'x', '{}', 3, false, "
                "CURRENT_TIMESTAMP, '{}', '{}')"
            )
        )


def test_the_migration_adds_deactivated_at_to_existing_specialists_and_takes_it_away(
    settings: Settings,
) -> None:
    _run(settings, lambda engine: upgrade(engine, "0004"))
    _run(settings, _add_one)
    _run(settings, lambda engine: upgrade(engine, "0005"))
    [row] = _run(settings, _specialists)
    assert (row["id"], row["deactivated_at"]) == ("sp_1", None)
    _run(settings, lambda engine: _downgrade(engine, "0004"))
    [row] = _run(settings, _specialists)
    assert row["id"] == "sp_1" and "deactivated_at" not in row


async def _requests(engine: AsyncEngine) -> dict[str, dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(text("SELECT * FROM requests ORDER BY id"))
        return {row.id: dict(row._mapping) for row in result}


async def _add_requests(engine: AsyncEngine, *rows: tuple[str, str, str | None]) -> None:
    """Requests (id, client id, customer key) of one app in one queue, made in id order."""
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO apps (id, name, public_key, secret, origins, created_at) "
                "SELECT 'app_1', 'Shop', 'pk_1', 's', '[]', CURRENT_TIMESTAMP "
                "WHERE NOT EXISTS (SELECT 1 FROM apps)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO queues (id, name, skill, created_at) SELECT 'q_1', 'General', "
                "'support', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM queues)"
            )
        )
        for index, (row_id, client_id, key) in enumerate(rows):
            await connection.execute(
                text(
                    "INSERT INTO requests (id, app_id, client_id, queue_id, customer, "
                    "description, context, state, created_at, enqueued_at, customer_key) "
                    "VALUES (:id, 'app_1', :client_id, 'q_1', '{}', 'help', '{}', 'waiting', "
                    ":at, 0, :key)"
                ),
                {
                    "id": row_id,
                    "client_id": client_id,
                    "key": key,
                    "at": datetime(2027, 1, 1 + index),
                },
            )


def test_the_migration_scopes_client_ids_to_the_caller_and_back(settings: Settings) -> None:
    """0006: verified customers' requests get their caller; two callers may then share a
    client id, and going back keeps both requests with the later one's id made unique."""
    from tapline.actions.customer import caller_key

    _run(settings, lambda engine: upgrade(engine, "0005"))
    _run(
        settings,
        lambda engine: _add_requests(engine, ("r_1", "c1", "app_1:u1"), ("r_2", "c2", None)),
    )
    _run(settings, lambda engine: upgrade(engine, "0006"))
    rows = _run(settings, _requests)
    assert rows["r_1"]["caller"] == caller_key("app_1", {"verified": True, "id": "u1"}, None)
    assert rows["r_2"]["caller"] is None  # nobody to tell apart: no retry finds it
    _run(settings, lambda engine: _add_requests(engine, ("r_3", "c1", None), ("r_4", "c1", None)))
    _run(settings, lambda engine: _downgrade(engine, "0005"))
    rows = _run(settings, _requests)
    assert [rows[key]["client_id"] for key in sorted(rows)] == ["c1", "c2", "c1~r_3", "c1~r_4"]
    assert "caller" not in rows["r_1"]
    _run(settings, upgrade)  # on to the head, to compare with the models
    assert _run(settings, _differences) == []


async def _apps(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(text("SELECT * FROM apps"))
        return [dict(row._mapping) for row in result]


def test_the_migration_adds_verified_only_off_to_existing_apps_and_takes_it_away(
    settings: Settings,
) -> None:
    """0007: existing apps keep taking unverified customers until an operator says not."""
    _run(settings, lambda engine: upgrade(engine, "0006"))
    _run(settings, lambda engine: _add_requests(engine, ("r_1", "c1", None)))  # refers to it
    _run(settings, lambda engine: upgrade(engine, "0007"))
    [row] = _run(settings, _apps)
    assert row["id"] == "app_1" and not row["verified_only"]
    _run(settings, lambda engine: _downgrade(engine, "0006"))
    [row] = _run(settings, _apps)
    assert row["id"] == "app_1" and "verified_only" not in row
    _run(settings, upgrade)
    assert _run(settings, _differences) == []
