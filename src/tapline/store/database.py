"""Connecting to the database: SQLite in WAL mode by default, PostgreSQL when given a URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

COMMAND_TIMEOUT = 10.0
"""Seconds a PostgreSQL statement may take before it fails (a stalled database)."""


def make_engine(url: str, schema: str | None = None) -> AsyncEngine:
    """`schema` puts tapline in its own PostgreSQL schema (the search path)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # A database that stalls answers nothing: past this, a statement fails like a cut one.
    connect_args: dict[str, Any] = {"command_timeout": COMMAND_TIMEOUT}
    if schema:
        connect_args["server_settings"] = {"search_path": schema}
    return create_async_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=10, connect_args=connect_args
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver would BEGIN only before a write, so a SAVEPOINT opened first would be a
    # transaction of its own and its release a commit: we BEGIN ourselves (`_sqlite_begin`).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
