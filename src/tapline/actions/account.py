"""A specialist's own account: desk sessions opened at sign-in and closed at sign-out, and a
new password of their choosing (a supervisor's reset is `staff.save_specialist`).

Session rows are not the engine's state: these write them in their own transaction, not in
the writer's batches.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete

from tapline.lib.desk_sessions import SignedIn, sign_out_sockets
from tapline.lib.passwords import DESK_PREFIX, new_token, token_hash
from tapline.lib.runtime import Runtime
from tapline.store.models import DeskSession, Specialist, new_id, utcnow


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
