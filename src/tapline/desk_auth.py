"""Desk sign-in sessions: an HttpOnly, SameSite=Strict cookie, and CSRF for writes."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import HTTPException, Request
from sqlalchemy import delete, select

from tapline.models import DeskSession, Specialist, new_id, utcnow
from tapline.passwords import CUSTOMER_PREFIX, DESK_PREFIX, new_token, token_hash
from tapline.runtime import Runtime

COOKIE = "tapline_desk"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class SignedIn:
    session: DeskSession
    specialist: Specialist


async def open_session(rt: Runtime, specialist: Specialist) -> tuple[str, DeskSession]:
    token = new_token(DESK_PREFIX)
    row = DeskSession(
        id=new_id("ds"),
        token_hash=token_hash(token),
        csrf=secrets.token_urlsafe(32),
        specialist_id=specialist.id,
        expires_at=utcnow() + timedelta(hours=rt.settings.session_hours),
    )
    async with rt.sessions() as session, session.begin():
        session.add(row)
    return token, row


async def close_session(rt: Runtime, row: DeskSession) -> None:
    async with rt.sessions() as session, session.begin():
        await session.execute(delete(DeskSession).where(DeskSession.id == row.id))


async def lookup(rt: Runtime, token: str | None) -> SignedIn | None:
    """The session a desk token opens; customer tokens and expired sessions open nothing."""
    if not token or token.startswith(CUSTOMER_PREFIX) or not token.startswith(DESK_PREFIX):
        return None
    async with rt.sessions() as session:
        row = await session.scalar(
            select(DeskSession).where(DeskSession.token_hash == token_hash(token))
        )
        if row is None or row.expires_at < utcnow():
            return None
        specialist = await session.get(Specialist, row.specialist_id)
        return SignedIn(row, specialist) if specialist is not None else None


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
