"""Desk sign-in sessions: an HttpOnly, SameSite=Strict cookie, and CSRF for writes."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeGuard

from fastapi import HTTPException, Request, Response
from sqlalchemy import delete, select

from tapline.models import DeskSession, Specialist, new_id, utcnow
from tapline.passwords import (
    CUSTOMER_PREFIX,
    DESK_PREFIX,
    dummy_verify,
    new_token,
    token_hash,
    verify_password,
)
from tapline.runtime import Runtime
from tapline.security import is_https

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


async def close_session(rt: Runtime, row: DeskSession) -> None:
    async with rt.sessions() as session, session.begin():
        await session.execute(delete(DeskSession).where(DeskSession.id == row.id))
    sign_out_sockets(rt, row.specialist_id, row.id)


async def change_password(rt: Runtime, signed_in: SignedIn, password_hash: str) -> None:
    """A new password, and every other desk session of theirs ends (their sockets close
    with `signed_out`, as on deactivation): whoever else held one, held it with the old
    password. The session that changed it stays."""
    me, kept = signed_in.specialist, signed_in.session.id
    async with rt.sessions() as session, session.begin():
        row = await session.get(Specialist, me.id)
        if row is None:
            return
        row.password_hash = password_hash
        await session.execute(
            delete(DeskSession).where(DeskSession.specialist_id == me.id, DeskSession.id != kept)
        )
    sign_out_sockets(rt, me.id, keep=kept)


SIGNOUT_CHANNEL = "desk:signout"
"""Every node hears of a desk session ended on another, and closes its own sockets of it."""


def sign_out_sockets(
    rt: Runtime, specialist_id: str, session_id: str | None = None, *, keep: str | None = None
) -> None:
    """Close the desk sockets opened with a session that has ended (all of theirs: None),
    but those of the session `keep`: on this node now, and on every other node."""
    close_sockets(rt, specialist_id, session_id, keep)
    if rt.node is not None:
        signal = {"specialist_id": specialist_id, "session_id": session_id, "keep": keep}
        rt.bus.publish(SIGNOUT_CHANNEL, {"type": "signout", **signal})


def close_sockets(
    rt: Runtime, specialist_id: str, session_id: str | None, keep: str | None
) -> None:
    for sid, events in rt.desk_signouts.get(specialist_id, {}).items():
        if (session_id is None or sid == session_id) and sid != keep:
            for event in events:
                event.set()


@contextlib.contextmanager
def signed_out_event(rt: Runtime, signed_in: SignedIn) -> Iterator[asyncio.Event]:
    """An event set when this socket's session ends: signed out, reset, or expired."""
    specialist_id, session_id = signed_in.specialist.id, signed_in.session.id
    event = asyncio.Event()
    events = rt.desk_signouts.setdefault(specialist_id, {}).setdefault(session_id, set())
    events.add(event)
    left = (signed_in.session.expires_at - utcnow()).total_seconds()
    timer = asyncio.get_running_loop().call_later(max(0.0, left), event.set)
    try:
        yield event
    finally:
        timer.cancel()
        events.discard(event)
        if not events:
            sessions = rt.desk_signouts[specialist_id]
            sessions.pop(session_id, None)
            if not sessions:
                del rt.desk_signouts[specialist_id]


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
        if specialist is None or specialist.deactivated_at is not None:
            return None  # a deactivated specialist's session opens nothing, whenever made
        return SignedIn(row, specialist)


def may_sign_in(row: Specialist | None, password: str) -> TypeGuard[Specialist]:
    """The password is right and the account active. The same work and the same answer for
    an unknown email, a wrong password and a deactivated account: no account enumeration."""
    if row is None:
        dummy_verify()
        return False
    right = verify_password(row.password_hash, password)
    return right and row.deactivated_at is None


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
