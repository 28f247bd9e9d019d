"""Which node owns the engine: the one holding a PostgreSQL advisory lock.

The owner takes a session-level advisory lock on one connection and writes every batch on
that same connection. If the connection drops, PostgreSQL releases the lock, and the old
owner can no longer write through it either: two owners can never both write. The owner
names itself in the connection's `application_name` (its URL and a fingerprint of the
secret key), so the other nodes find it in `pg_stat_activity` without a table of our own.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

LOCK_KEY = 0x7461706C  # "tapl": the lock's first key; the second is the schema's (`scope`)
PREFIX = "tapline-owner"


def scope(schema: str | None) -> int:
    """The lock's second key: one lease per database schema, so clusters on one PostgreSQL
    database (each in its own schema) never hold each other's."""
    digest = hashlib.sha256((schema or "public").encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


@dataclass(frozen=True)
class Owner:
    url: str
    fingerprint: str


def fingerprint(secret: str) -> str:
    """Whether two nodes share a secret key, without telling the key."""
    return hmac.new(secret.encode(), b"tapline node", hashlib.sha256).hexdigest()[:12]


def _name(url: str, secret: str) -> str:
    return f"{PREFIX} {fingerprint(secret)} {url}"[:63]  # PostgreSQL keeps 63 bytes


async def try_acquire(
    db: AsyncEngine, url: str, secret: str, schema: str | None
) -> AsyncConnection | None:
    """A connection holding the lock, or None when another node holds it."""
    connection = await db.connect()
    try:
        await connection.execute(
            text("SELECT set_config('application_name', :name, false)"),
            {"name": _name(url, secret)},
        )
        got = await connection.scalar(
            text("SELECT pg_try_advisory_lock(:key, :scope)"),
            {"key": LOCK_KEY, "scope": scope(schema)},
        )
        await connection.commit()
    except BaseException:
        await connection.close()
        raise
    if not got:
        await connection.close()
        return None
    return connection


async def owner(db: AsyncEngine, schema: str | None) -> Owner | None:
    """The node holding the lock now, as it named itself; None when no node does."""
    async with db.connect() as connection:
        name = await connection.scalar(
            text(
                "SELECT a.application_name FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :key "
                "AND l.objid = :scope AND l.objsubid = 2 AND l.database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1"
            ),
            {"key": LOCK_KEY, "scope": _oid(scope(schema))},
        )
    if not isinstance(name, str) or not name.startswith(PREFIX + " "):
        return None
    _, fp, url = name.split(" ", 2)
    return Owner(url=url, fingerprint=fp)


async def holds(connection: AsyncConnection, schema: str | None) -> bool:
    """Whether this connection still holds the lock (it answers, and the lock is its)."""
    found = await connection.scalar(
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = :key AND objid = :scope AND objsubid = 2 AND pid = pg_backend_pid() "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"key": LOCK_KEY, "scope": _oid(scope(schema))},
    )
    await connection.commit()
    return bool(found)


def _oid(value: int) -> int:
    """pg_locks shows the keys as unsigned `oid`s."""
    return value & 0xFFFFFFFF
