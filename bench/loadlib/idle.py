"""RSS per idle connection: customers who said hello and wait in line, nothing else.

Before any desk is online: open a few customers to warm the server up, read the servers'
RSS, open `count` more, let them settle, read it again. The difference over `count` is the
figure. Then each tapline customer cancels its request (so no desk is offered it later)
and every socket closes.
"""

from __future__ import annotations

import asyncio
import contextlib

from loadlib.clients import Peer, Stats, relay_peer, tapline_customer
from loadlib.nodes import Servers, rss_kib

WARM = 10
SETTLE = 2.0


async def idle_rss(servers: Servers, app: str, count: int, run: str) -> tuple[float | None, int]:
    """(KiB per idle connection, sockets that failed to open)."""
    import httpx2

    stats = Stats()
    peers: list[Peer] = []
    gate = asyncio.Semaphore(50)
    first = servers.processes[0]
    async with httpx2.AsyncClient(trust_env=False, timeout=120) as http:

        async def one(index: int) -> None:
            async with gate:
                try:
                    if servers.kind == "relay":
                        url = f"ws://127.0.0.1:{first.port}/"
                        peer = await relay_peer(url, "customer", index, [f"idle{index}"], stats, 1)
                    else:
                        peer = await tapline_customer(http, first.base, app, index, run, stats, 1)
                except Exception:
                    stats.failures["idle"] += 1
                    return
                peers.append(peer)

        try:
            await asyncio.gather(*(one(i) for i in range(WARM)))
            await asyncio.sleep(SETTLE)
            warmed = len(peers)
            before = sum(rss_kib(pid) for pid in servers.pids)
            await asyncio.gather(*(one(i) for i in range(WARM, WARM + count)))
            await asyncio.sleep(SETTLE)
            after = sum(rss_kib(pid) for pid in servers.pids)
        finally:
            await _leave(servers.kind, peers, gate)
    opened = len(peers) - warmed
    failed = stats.failures["idle"]
    return ((after - before) / opened if opened > 0 else None), failed


async def _leave(kind: str, peers: list[Peer], gate: asyncio.Semaphore) -> None:
    async def one(peer: Peer) -> None:
        async with gate:
            if kind != "relay":
                with contextlib.suppress(Exception):
                    await peer.write({"type": "cancel"})
            await peer.close()

    await asyncio.gather(*(one(p) for p in peers), return_exceptions=True)
