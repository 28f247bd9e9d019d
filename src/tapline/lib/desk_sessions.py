"""Desk sign-in sessions: which specialist a desk token opens, and closing the desk sockets
of a session that has ended, on this node and on every other.

The session rows are written by `actions/account.py`; the cookie that carries the token, and
CSRF, are the web layer's (`web/desk_auth.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeGuard

from sqlalchemy import select

from tapline.lib.passwords import (
    CUSTOMER_PREFIX,
    DESK_PREFIX,
    dummy_verify,
    token_hash,
    verify_password,
)
from tapline.lib.runtime import Runtime
from tapline.store.models import DeskSession, Specialist, utcnow


@dataclass
class SignedIn:
    session: DeskSession
    specialist: Specialist


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
