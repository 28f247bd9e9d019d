"""Several nodes: real `tapline serve` processes sharing PostgreSQL and Redis, on loopback.

Any node serves any client; one owns the engine at a time; when it dies another takes over
and nothing acknowledged is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx2
import pytest

from nodes_support import Client, Cluster, Node, wait_for
from support import PG_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    found = Cluster(tmp_path)
    found.seed()
    try:
        yield found
    finally:
        found.stop()


def _two(cluster: Cluster) -> tuple[Node, Node]:
    """Two nodes, the owner first."""
    cluster.start("a")
    cluster.start("b")
    owner = cluster.owner()
    other = next(node for node in cluster.nodes if node is not owner)
    assert other.health()["role"] == "follower"
    return owner, other


def _rows(cluster: Cluster, sql: str) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        connection = await asyncpg.connect(PG_URL)
        try:
            await connection.execute(f"SET search_path TO {cluster.schema}")
            return [dict(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    return asyncio.run(read())


def _accept(desk: Client, request_id: str, frame_id: str) -> None:
    desk.until("offer", **{"offer.request_id": request_id})
    desk.write({"type": "accept", "id": frame_id, "request_id": request_id})
    desk.until("request.assigned", **{"request.id": request_id})


def _bodies(client: Client, sender: str) -> list[str]:
    return [
        frame["message"]["body"]
        for frame in client.events("message")
        if frame["message"]["sender"] == sender
    ]


def test_a_customer_on_one_node_is_helped_by_a_specialist_on_another(cluster: Cluster) -> None:
    owner, follower = _two(cluster)
    for customer_node, desk_node in ((follower, owner), (owner, follower)):
        token = cluster.signin(desk_node, "ana")
        with cluster.desk(desk_node, token) as desk:
            desk.write({"type": "presence", "id": "p1", "status": "available"})
            created = cluster.ask(customer_node, f"c-{customer_node.name}")
            request_id = created["request_id"]
            with cluster.widget(customer_node, created) as widget:
                _accept(desk, request_id, f"a-{customer_node.name}")
                widget.until("request.state", state="connected")
                widget.write({"type": "message", "id": "m1", "body": "Which card?"})
                desk.until("message", **{"message.body": "Which card?"})
                desk.write(
                    {"type": "message", "id": "r1", "request_id": request_id, "body": "Credits."}
                )
                widget.until("message", **{"message.body": "Credits."})
                desk.send({"type": "typing", "request_id": request_id, "active": True})
                widget.until("typing", **{"from": "specialist"})
                desk.write(
                    {
                        "type": "resolve",
                        "id": f"z-{customer_node.name}",
                        "request_id": request_id,
                        "disposition": "resolved",
                    }
                )
                widget.until("request.state", state="resolved")
    rows = _rows(cluster, "SELECT request_id, outcome FROM offers ORDER BY id")
    assert [row["outcome"] for row in rows] == ["accepted", "accepted"]


def test_the_owner_killed_another_takes_over_and_nothing_acknowledged_is_lost(
    cluster: Cluster,
) -> None:
    owner, follower = _two(cluster)
    token = cluster.signin(follower, "ana")
    with cluster.desk(follower, token) as desk:
        desk.write({"type": "presence", "id": "p1", "status": "available"})
        created = cluster.ask(owner, "c1")
        request_id = created["request_id"]
        sent: list[str] = []
        with cluster.widget(owner, created) as widget:
            _accept(desk, request_id, "a1")
            for n in range(5):
                widget.write({"type": "message", "id": f"m{n}", "body": f"before {n}"})
                sent.append(f"before {n}")
            last = max(frame["seq"] for frame in widget.events("message"))
            cluster.kill(owner)
            wait_for(widget.closed.is_set, "the widget's socket closed with its node")
        # The customer comes back on the node that is left, which takes the engine over.
        assert cluster.owner() is follower
        with cluster.widget(follower, created, last_seq=last) as widget:
            for n in range(5):
                widget.write({"type": "message", "id": f"n{n}", "body": f"after {n}"})
                sent.append(f"after {n}")
            wait_for(lambda: len(_bodies(desk, "customer")) >= len(sent), "all at the desk")
            desk.write({"type": "message", "id": "r1", "request_id": request_id, "body": "Here."})
            widget.until("message", **{"message.body": "Here."})
    # Once each, in order, at the desk (the description came with the request) and stored.
    assert _bodies(desk, "customer") == sent
    stored = _rows(cluster, "SELECT body FROM messages WHERE sender = 'customer' ORDER BY id")
    assert [row["body"] for row in stored] == ["Which is charged?", *sent]
    # Never assigned twice: still Ana's, with the one offer she accepted.
    [request] = _rows(cluster, "SELECT state, specialist_id FROM requests")
    assert request["state"] == "connected"
    offers = _rows(cluster, "SELECT outcome FROM offers")
    assert [row["outcome"] for row in offers] == ["accepted"]


def test_a_node_without_the_shared_secret_key_refuses_to_start(cluster: Cluster) -> None:
    alone = cluster.start("nokey", wait=False, TAPLINE_SECRET_KEY="")
    assert alone.proc.wait(60) != 0
    assert "TAPLINE_SECRET_KEY" in alone.output()
    cluster.start("a")
    cluster.owner()
    other = cluster.start("other", wait=False, TAPLINE_SECRET_KEY="another-key-" + "x" * 30)
    assert other.proc.wait(60) != 0
    assert "differs from the owner" in other.output()


def test_signing_out_on_one_node_closes_the_desk_on_another(cluster: Cluster) -> None:
    owner, follower = _two(cluster)
    token = cluster.signin(follower, "ana")
    with cluster.desk(follower, token) as desk:
        response = httpx2.post(
            f"{owner.http}/api/v1/desk/signout",
            headers={
                "Origin": owner.http,
                "Cookie": f"tapline_desk={token}",
                "X-CSRF-Token": cluster.csrf[token],
            },
            timeout=30,
        )
        assert response.status_code in (200, 204), response.text
        desk.until("signed_out")
        wait_for(desk.closed.is_set, "the desk's socket on the other node closed")


def test_clusters_in_two_schemas_each_have_their_own_owner(
    cluster: Cluster, tmp_path: Path
) -> None:
    other = Cluster(tmp_path / "other")
    (tmp_path / "other").mkdir()
    other.seed()
    try:
        cluster.start("a")
        other.start("x")
        assert cluster.owner().name == "a"
        assert other.owner().name == "x"  # the lease is per schema, not per database
    finally:
        other.stop()
