"""Abuse limits at the edge (docs/security.md, "Abuse limits").

- `BodyLimit`, an ASGI middleware: an HTTP body over `body_bytes` is refused with `413`
  before it is read (a `Content-Length` over the limit), or as soon as the bytes streamed
  in pass it (a chunked body, or one longer than it said): the rest is never read.
- `abuse_limits(app)`: the app's counters of new requests per hour (per customer or device,
  and per client address) and of customer sockets open at once (per client address and
  per request), made from the settings on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tapline.engine import Clock
from tapline.lib.ratelimit import ConnectionLimits, WindowLimits
from tapline.settings import Settings

HOUR = 3600.0


class BodyLimit:
    """Refuse a request body over `max_bytes` with `413`, without reading it in full.

    A declared `Content-Length` over the limit is answered at once and nothing is read.
    Otherwise the bytes are counted as the application reads them; past the limit it is
    answered `413` (when it has not answered yet), the application is told the client has
    gone (`http.disconnect`), and whatever it would still send is dropped.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self.too_large()(scope, receive, send)
            return
        received = 0
        refused = False
        started = False

        async def counted() -> Message:
            nonlocal received, refused, started
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    if not started:
                        started = True
                        await self.too_large()(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 was the answer
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not refused:
                raise
            # The application failed on the body it was denied: the 413 has been sent.

    def too_large(self) -> JSONResponse:
        return JSONResponse(
            {"detail": f"A request body may be at most {self.max_bytes} bytes."},
            status_code=413,
        )


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.strip().isdigit():
        return None  # absent (chunked) or malformed: counted as it streams in
    return int(value)


@dataclass
class AbuseLimits:
    new_requests: WindowLimits
    """Kinds `customer` (the caller: verified customer, else device) and `address`."""
    sockets: ConnectionLimits
    """Customer sockets open at once; kinds `address` and `request`."""

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock) -> AbuseLimits:
        return cls(
            new_requests=WindowLimits(
                {
                    "customer": settings.requests_per_customer,
                    "address": settings.requests_per_address,
                },
                HOUR,
                clock,
            ),
            sockets=ConnectionLimits(
                {"address": settings.sockets_per_address, "request": settings.sockets_per_request}
            ),
        )


def abuse_limits(app: Any) -> AbuseLimits:
    """The limits of this application (`request.app`, `ws.app`), made on first use."""
    state = app.state
    found: AbuseLimits | None = getattr(state, "abuse_limits", None)
    if found is None:
        rt = state.rt
        found = state.abuse_limits = AbuseLimits.from_settings(rt.settings, rt.clock)
    return found
