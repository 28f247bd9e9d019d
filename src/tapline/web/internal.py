"""What the nodes say to the node that owns the engine: frames, attendance, REST calls.

Every call is signed with the shared secret key (`node.sign`); anything unsigned is a 403.
A node that does not own the engine answers 503, and the caller looks for the owner again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tapline import strict_json
from tapline.actions import attendance
from tapline.errors import Unavailable
from tapline.lib import waits
from tapline.lib.here import Report
from tapline.lib.node import NODE, SIGNATURE, signed
from tapline.lib.runtime import Runtime
from tapline.web.sockets import customer as socket_customer
from tapline.web.sockets import specialist as socket_specialist
from tapline.web.wire import Outcome, run

router = APIRouter(prefix="/internal/v1", include_in_schema=False)
HOP_BY_HOP = {
    b"connection",
    b"keep-alive",
    b"transfer-encoding",
    b"te",
    b"upgrade",
    b"proxy-connection",
    b"content-length",
}
MAX_FORWARDED_BODY = 10 * 1024 * 1024


@dataclass(frozen=True)
class Staff:
    """The signed-in specialist a desk frame comes from, as the socket's node knew them."""

    id: str
    name: str


async def _owner_call(request: Request) -> tuple[Runtime, dict[str, Any]]:
    rt: Runtime = request.app.state.rt
    body = await request.body()
    if not signed(rt.settings.secret(), body, request.headers.get(SIGNATURE)):
        raise HTTPException(403, "Only the nodes of this cluster may call this.")
    if rt.node is None or not rt.node.owns:
        raise HTTPException(503, "This node does not own the engine.")
    payload = strict_json.loads(body)
    if not isinstance(payload, dict):
        raise HTTPException(422, "A call is a JSON object.")
    return rt, payload


@router.post("/frame")
async def frame(request: Request) -> Outcome:
    """A socket's frame on another node, run here as if it came in here."""
    rt, payload = await _owner_call(request)
    sent = payload.get("frame")
    if not isinstance(sent, dict) or not isinstance(sent.get("type"), str):
        raise HTTPException(422, "No frame.")
    kind = sent["type"]
    if payload.get("kind") == "customer":
        handlers = socket_customer.handlers(rt, str(payload["request_id"]), str(payload["author"]))
        writes = socket_customer.WRITES
    else:
        me = Staff(str(payload["specialist_id"]), str(payload["name"]))
        handlers = socket_specialist.handlers(rt, me)
        writes = socket_specialist.WRITES
    handler = handlers.get(kind)
    if handler is None:
        return {"error": {"code": "unknown_type", "message": f"Unknown frame type {kind!r}."}}
    return await run(handler, sent, kind in writes)


@router.post("/hello")
async def hello(request: Request) -> dict[str, Any]:
    """A socket said hello on another node: what the owner sends on its own sockets then."""
    rt, payload = await _owner_call(request)
    if payload.get("kind") == "customer":
        waits.refresh(rt, str(payload["request_id"]), force=True)
        return {}
    return {"queues": rt.queues_frame()}


@router.post("/attendance")
async def attendance_report(request: Request) -> dict[str, Any]:
    """A node's open sockets: the engine hears of who came and went."""
    rt, payload = await _owner_call(request)
    report = Report(
        customers=frozenset(str(x) for x in payload.get("customers", [])),
        desks=frozenset(str(x) for x in payload.get("desks", [])),
        watching=bool(payload.get("watching")),
        visible=frozenset(str(x) for x in payload.get("visible", [])),
    )
    await attendance.reported(rt, str(payload.get("node") or request.headers.get(NODE)), report)
    return {}


class ForwardToOwner:
    """On a node that does not own the engine, the REST API is the owner's: pass it on."""

    def __init__(self, app: ASGIApp, rt: Runtime) -> None:
        self.app = app
        self.rt = rt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        node = self.rt.node
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or node is None
            or node.owns
            or not path.startswith("/api/v1/")
            or path == "/api/v1/openapi.json"
        ):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            await _plain(send, 413, b"The body is too large.")
            return
        try:
            status, headers, content = await _pass_on(self.rt, scope, body)
        except Unavailable:
            await _plain(send, 503, b"The node that owns the engine cannot be reached.")
            return
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORWARDED_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _pass_on(
    rt: Runtime, scope: Scope, body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    node = rt.node
    assert node is not None
    client = scope.get("client") or ("", 0)
    headers = [(k, v) for k, v in scope["headers"] if k.lower() not in HOP_BY_HOP]
    headers.append((b"x-forwarded-for", str(client[0]).encode()))
    headers.append((b"x-forwarded-proto", str(scope.get("scheme", "http")).encode()))
    query = scope.get("query_string", b"").decode()
    url = await node.owner_url() + scope["path"] + (f"?{query}" if query else "")
    response = await node.pass_on(scope["method"], url, headers, body)
    out = [
        (k.lower().encode(), v.encode())
        for k, v in response.headers.multi_items()
        if k.lower().encode() not in HOP_BY_HOP and k.lower() != "content-encoding"
    ]
    out.append((b"content-length", str(len(response.content)).encode()))
    return response.status_code, out, response.content


async def _plain(send: Send, status: int, text: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain"), (b"retry-after", b"2")],
        }
    )
    await send({"type": "http.response.body", "body": text})
