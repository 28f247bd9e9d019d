"""The bare relay: the load bench's baseline (bench/load.py, docs/subsystems/load.md).

    .venv/bin/python bench/relay.py --port 8765

A minimal `websockets` server that speaks the part of tapline's socket protocol the bench
uses, with no storage, no engine and no checks: each socket says `hello` with its side
(`customer` or `specialist`) and the pairs it holds; a `message` is forwarded at once to the
other side's socket of that pair, shaped as tapline's `message` event, and acknowledged to
the sender with an `ack`. It runs on uvloop when installed, as uvicorn does for tapline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

OTHER = {"customer": "specialist", "specialist": "customer"}


class Relay:
    def __init__(self) -> None:
        self.sockets: dict[str, dict[str, ServerConnection]] = {"customer": {}, "specialist": {}}

    async def handler(self, ws: ServerConnection) -> None:
        side, pairs = "customer", []
        try:
            async for raw in ws:
                frame: dict[str, Any] = json.loads(raw)
                kind = frame.get("type")
                if kind == "hello":
                    side, pairs = frame["side"], list(frame["pairs"])
                    for pair in pairs:
                        self.sockets[side][pair] = ws
                    await ws.send('{"type":"welcome"}')
                elif kind == "message":
                    pair = pairs[0] if side == "customer" else frame.get("request_id")
                    await self.forward(ws, side, str(pair), frame)
        except ConnectionClosed:
            pass
        finally:
            for pair in pairs:
                if self.sockets[side].get(pair) is ws:
                    del self.sockets[side][pair]

    async def forward(self, ws: ServerConnection, side: str, pair: str, frame: Any) -> None:
        peer = self.sockets[OTHER[side]].get(pair)
        if peer is None:
            error = {"type": "error", "code": "not_found", "ref": frame.get("id")}
            await ws.send(json.dumps(error))
            return
        event = {
            "type": "message",
            "request_id": pair,
            "message": {"sender": side, "body": frame.get("body")},
        }
        with contextlib.suppress(ConnectionClosed):
            await peer.send(json.dumps(event, separators=(",", ":")))
        await ws.send(json.dumps({"type": "ack", "id": frame.get("id"), "result": {}}))


async def main(port: int) -> None:
    relay = Relay()
    async with serve(relay.handler, "127.0.0.1", port, compression=None, ping_interval=None):
        await asyncio.Future()  # until killed


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    port = parser.parse_args().port
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(port))
    else:
        uvloop.run(main(port))
