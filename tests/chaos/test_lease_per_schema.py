"""One lease per cluster: per schema, and per database.

- Two clusters on two schemas of one database each own their engine. The lease's key was
  a constant and advisory locks are per database, so only one had an owner; the other's
  nodes forwarded writes to it (same secret key) or exited at start (another key). Found
  by `bench/load.py --configs cluster` while another suite ran a cluster on the same
  database; fixed in 4014e56 (the lock's second key is the schema's).
- Failing until fixed: an owner in another database of the same server is not this one's.
  `pg_locks` lists every database's locks and `lease.owner()` does not match `l.database`,
  so with the same schema name in two databases a follower may forward to the other's.
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import asyncpg
import httpx2
import pytest

from chaos.harness import ORIGIN, PG_URL, REDIS_URL, Database, Node, node_env

pytestmark = pytest.mark.postgres
GUARD = 10.0  # real seconds for a lone node to own its engine (it tries every second)


async def _role(node: Node, http: httpx2.AsyncClient) -> str | None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + GUARD
    role = None
    while loop.time() < deadline:
        role = await node.role(http)
        if role == "owner":
            return role
        await asyncio.sleep(0.2)
    return role


async def test_two_clusters_on_two_schemas_each_own_their_engine(tmp_path: Path) -> None:
    databases = [Database("postgres", tmp_path / name) for name in ("one", "two")]
    # One secret key for both: node two then stays a follower and forwards to one's owner.
    # (With another key it exits at start: "differs from the owner's".)
    databases[1].secret = databases[0].secret
    nodes: list[Node] = []
    try:
        apps = []
        for database in databases:
            await database.create()
            app, _desks = await database.seed(specialists=1, capacity=1)
            apps.append(app)
            node = Node(
                database.workdir.name, database.workdir, node_env(database, redis=REDIS_URL)
            )
            nodes.append(node)
            await node.start()
        async with httpx2.AsyncClient(trust_env=False, timeout=10) as http:
            roles = [await _role(node, http) for node in nodes]
            answer = await http.post(
                f"{nodes[1].base}/api/v1/requests",
                params={"app": apps[1]},
                headers={"Origin": ORIGIN},
                json={"id": "c1", "description": "Which card is charged?"},
            )
        stored = await _count(databases[1].schema, "requests")
        assert roles == ["owner", "owner"], (
            f"roles {roles}: the second cluster has no owner of its own; a request posted to "
            f"it answered {answer.status_code} {answer.text[:200]}, {stored} stored in its "
            f"schema\n--- two's log ---\n{nodes[1].tail()}"
        )
        assert answer.status_code == 201, answer.text
        assert stored == 1
    finally:
        for node in nodes:
            node.stop()
        for database in databases:
            await database.drop()


async def _count(schema: str | None, table: str) -> int:
    connection = await asyncpg.connect(PG_URL)
    try:
        return int(await connection.fetchval(f"SELECT count(*) FROM {schema}.{table}"))
    finally:
        await connection.close()


async def test_an_owner_in_another_database_is_not_this_ones(tmp_path: Path) -> None:
    """The same schema name in two databases of one server (staging and production, each in
    `public`): a node of one must not take the other's owner for its own. Advisory locks are
    per database, but `pg_locks` lists every database's: `lease.owner()` must match
    `l.database` too, or a follower may forward its writes to another database's owner."""
    from tapline.store import lease
    from tapline.store.database import make_engine

    database = Database("postgres", tmp_path / "one")
    other = "chaos_db_" + secrets.token_hex(4)
    node = None
    await database.create()
    try:
        await database.seed(specialists=1, capacity=1)
        node = Node("one", database.workdir, node_env(database, redis=REDIS_URL))
        await node.start()
        async with httpx2.AsyncClient(trust_env=False, timeout=10) as http:
            assert await _role(node, http) == "owner"
        await _pg_admin(f"CREATE DATABASE {other}")
        url = PG_URL.rsplit("/", 1)[0] + f"/{other}"
        engine = make_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        try:
            found = await lease.owner(engine, database.schema)  # no node in `other` at all
        finally:
            await engine.dispose()
        assert found is None, f"a node of {other} would forward to {found} (of `test`)"
    finally:
        if node is not None:
            node.stop()
        await database.drop()
        await _pg_admin(f"DROP DATABASE IF EXISTS {other}")


async def _pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
