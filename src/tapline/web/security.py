"""Headers every response carries, CORS decided per app from its allowed origins, and who
the client is behind a proxy (its address, and whether it came over https)."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence

from sqlalchemy import select
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tapline.lib.runtime import Runtime
from tapline.settings import Settings
from tapline.store.models import App

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

COBROWSE_FRAME = "/desk/assets/cobrowse-frame.html"
COBROWSE_FRAME_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'none'",
        "media-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
    ]
)
"""Only the co-browse frame's document: rrweb rebuilds the customer's page there and sets
its styles inline, so styles may be inline; scripts stay 'self' (and rrweb's own iframe is
sandboxed without scripts). The desk page keeps CSP (docs/security.md, "Co-browse")."""

SDK_PATHS = (
    "/api/v1/sdk/",
    "/api/v1/requests",
    "/api/v1/customers/",
    "/api/v1/slots",
    "/api/v1/push/",
)
CORS_HEADERS = "content-type, x-tapline-app, x-tapline-device, authorization"
HSTS = "max-age=31536000"
"""A year; no includeSubDomains: other hosts of the operator's domain are not ours to pin."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _peer_is_proxy(scope: Scope, settings: Settings) -> bool:
    peer = scope.get("client")
    networks = _networks(tuple(settings.trusted_proxies))
    return bool(networks and peer and _trusted(peer[0], networks))


def client_address(scope: Scope, settings: Settings) -> str:
    """The address the request came from. Only when the peer is a trusted proxy does
    X-Forwarded-For count: read from the right (each proxy appends the address it saw),
    skipping trusted proxies, the first other address is the client. Anything to its left
    was written by the client and is not believed."""
    peer = scope.get("client")
    address = peer[0] if peer else "unknown"
    if not _peer_is_proxy(scope, settings):
        return address
    networks = _networks(tuple(settings.trusted_proxies))
    forwarded = ",".join(Headers(scope=scope).getlist("x-forwarded-for"))
    for hop in reversed([item.strip() for item in forwarded.split(",") if item.strip()]):
        address = hop
        if not _trusted(hop, networks):
            break
    return address[:64]


def is_https(scope: Scope, settings: Settings) -> bool:
    """The browser reached us over TLS: directly, through a trusted proxy that says so in
    X-Forwarded-Proto, or the operator said the public origin is https."""
    if scope.get("scheme") in ("https", "wss"):
        return True
    if (settings.public_origin or "").lower().startswith("https://"):
        return True
    if _peer_is_proxy(scope, settings):
        proto = Headers(scope=scope).get("x-forwarded-proto", "")
        return proto.split(",")[0].strip().lower() == "https"
    return False


async def find_app(rt: Runtime, key: str | None) -> App | None:
    if not key:
        return None
    async with rt.sessions() as session:
        app: App | None = await session.scalar(select(App).where(App.public_key == key))
        return app


def origin_allowed(app: App, origin: str | None) -> bool:
    """No `Origin` means no browser: CORS protects browsers, so such callers pass."""
    return origin is None or origin.rstrip("/") in {item.rstrip("/") for item in app.origins}


class SecurityHeaders:
    """A strict CSP on every response, from the first line: no inline script, no eval; and
    HSTS whenever the browser came over https, so it never tries plain http again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rt = getattr(getattr(scope.get("app"), "state", None), "rt", None)
        https = is_https(scope, rt.settings) if rt is not None else scope["scheme"] == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                framed = scope["path"] == COBROWSE_FRAME
                headers.setdefault("Content-Security-Policy", COBROWSE_FRAME_CSP if framed else CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if scope["path"].startswith("/sdk/"):
                    headers["Cross-Origin-Resource-Policy"] = "cross-origin"
                else:
                    headers.setdefault("X-Frame-Options", "SAMEORIGIN" if framed else "DENY")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AppCors:
    """The widget's API answers only the origins its app allows, and says why when not."""

    def __init__(self, app: ASGIApp, rt: Runtime) -> None:
        self.app = app
        self.rt = rt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(SDK_PATHS):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        key = _query_app(scope) or headers.get("x-tapline-app")
        app = await find_app(self.rt, key)
        if app is None or not origin_allowed(app, origin):
            reason = "Unknown app key." if app is None else f"Origin {origin} is not allowed."
            response: Response = JSONResponse({"detail": reason}, status_code=403)
            await response(scope, receive, send)
            return
        allow = {
            "Access-Control-Allow-Origin": origin,
            "Vary": "Origin",
            "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
            "Access-Control-Allow-Headers": CORS_HEADERS,
            "Access-Control-Max-Age": "600",
        }
        if scope["method"] == "OPTIONS":
            await Response(status_code=204, headers=allow)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(allow)
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _query_app(scope: Scope) -> str | None:
    from urllib.parse import parse_qs

    values = parse_qs(scope.get("query_string", b"").decode()).get("app")
    return values[0] if values else None
