"""The desk's cookie: an HttpOnly, SameSite=Strict session cookie, and CSRF for writes.

Which specialist a token opens is `desk_sessions.lookup`; this module carries the token in
and out of the browser and guards writes.
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request, Response

from tapline.lib.desk_sessions import SignedIn, lookup
from tapline.lib.runtime import Runtime
from tapline.web.security import is_https

COOKIE = "tapline_desk"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def set_cookie(rt: Runtime, request: Request, response: Response, token: str) -> None:
    """The session cookie: `Secure` whenever the browser reached us over https, also when
    TLS ends at a trusted proxy, so the token is never sent over plain http."""
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        path="/",
        secure=is_https(request.scope, rt.settings),
        max_age=int(rt.settings.session_hours * 3600),
    )


def clear_cookie(rt: Runtime, request: Request, response: Response) -> None:
    response.delete_cookie(
        COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=is_https(request.scope, rt.settings),
    )


def same_origin(rt: Runtime, origin: str | None, host: str | None) -> bool:
    """The browser's `Origin` is this server: the configured origin, or the host it asked."""
    if origin is None:
        return True
    origin = origin.rstrip("/")
    allowed = {rt.settings.origin}
    if host:
        allowed |= {f"http://{host}", f"https://{host}"}
    return origin in allowed


async def desk_user(request: Request) -> SignedIn:
    """FastAPI dependency: the signed-in specialist; writes also need CSRF and origin."""
    rt: Runtime = request.app.state.rt
    signed_in = await lookup(rt, request.cookies.get(COOKIE))
    if signed_in is None:
        raise HTTPException(401, "Sign in to the desk first.")
    if request.method in WRITE_METHODS:
        if not same_origin(rt, request.headers.get("origin"), request.headers.get("host")):
            raise HTTPException(403, "Cross-site request refused.")
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent, signed_in.session.csrf):
            raise HTTPException(403, "Missing or wrong CSRF token.")
    return signed_in
