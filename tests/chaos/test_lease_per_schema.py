"""Two clusters on two schemas of one PostgreSQL database: each must own its own engine.

Failing until fixed. The lease is a session-level advisory lock on the constant key
`lease.LOCK_KEY`, and advisory locks are per database, not per schema; the owner is found in
`pg_locks` by that key alone. So of two clusters in one database (two chaos or test runs at
once, or staging and production on one server, which `TAPLINE_DATABASE_SCHEMA` invites)
only one has an owner: the other's nodes stay followers and forward every write to the
other cluster's owner (the same secret key), or exit at start (another key: "differs from
the owner's"). Found by `bench/load.py --configs cluster` while another suite ran a
cluster on the same database.
"""

from __future__ import annotations

import asyncio
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
