"""Supervisors' writes about people: specialists (skills, authority, capacity, leaving and
coming back) and shifts.

Like `actions/config.py`: persisted, applied to the running engine and staffing plan in the
same lock, then a `config` signal to supervisors after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
from typing import Any

from sqlalchemy import delete, func, select

from tapline.actions import Transaction, callbacks, transaction
from tapline.actions.config import notify
from tapline.actions.effects import apply
from tapline.actions.provision import add_specialist
from tapline.engine import UnknownSpecialist
from tapline.errors import ActionError, Conflict, Invalid
from tapline.lib import configuration as policy
from tapline.lib.desk_sessions import sign_out_sockets
from tapline.lib.passwords import MIN_PASSWORD, hash_password
from tapline.lib.runtime import Runtime
from tapline.store.models import DeskSession, Shift, Specialist, new_id, utcnow

CHANNELS = ("chat", "voice", "video")
MAX_CAPACITY = 20
MAX_SPECIALISTS = 2000
"""Active specialists (deactivated ones are kept, uncounted, for their history)."""
MAX_SHIFTS = 50
"""Shifts of one specialist."""
MAX_DATED = 31 * 86400
"""The longest dated shift, in seconds."""
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# -- Specialists ----------------------------------------------------------------------------


def _check_people(changes: dict[str, Any]) -> None:
    """Levels, capacities and a new password, before any lock is taken."""
    for skill, level in (changes.get("skills") or {}).items():
        if not 1 <= level <= 5:
            raise Invalid(f"skills.{skill}", "Skill levels go from 1 to 5.")
    for channel, value in (changes.get("capacity") or {}).items():
        if channel not in CHANNELS:
            raise Invalid(f"capacity.{channel}", "Capacity is per channel: chat, voice, video.")
        if not 0 <= value <= MAX_CAPACITY:
            raise Invalid(f"capacity.{channel}", f"Capacity is 0-{MAX_CAPACITY} per channel.")
    for key, value in (changes.get("authority") or {}).items():
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid(f"authority.{key}", "A finite number, please.")
    password = changes.get("password")
    if password is not None and len(password) < MIN_PASSWORD:
        raise Invalid("password", f"A password needs at least {MIN_PASSWORD} characters.")


async def _hashed(password: str | None) -> str | None:
    """argon2id takes a good part of a second: not on the event loop, not under the lock."""
    return None if password is None else await asyncio.to_thread(hash_password, password)


async def create_specialist(rt: Runtime, body: dict[str, Any]) -> Specialist:
    """The CLI's `tapline specialist add`, plus authority and capacities; routable at once."""
    _check_people(body)
    email = body["email"].strip().lower()
    if not EMAIL.match(email):
        raise Invalid("email", "An email address such as ana@example.com.")
    password_hash = await _hashed(body["password"])
    async with transaction(rt) as tx:
        await _room_for_one_more(tx)
        taken = await tx.session.scalar(
            select(Specialist).where(func.lower(Specialist.email) == email)
        )
        if taken is not None and taken.deactivated_at is not None:
            raise Invalid(
                "email",
                f"{email} belongs to {taken.name}, who is deactivated: reactivate them instead.",
            )
        if taken is not None:
            raise Invalid("email", f"A specialist with the email {email} already exists.")
        capacity = dict(body.get("capacity") or {})
        row = await add_specialist(
            tx.session,
            email=email,
            name=body["name"],
            password=body["password"],
            password_hash=password_hash,
            role=body.get("role") or "Specialist",
            skills=dict(body.get("skills") or {}),
            capacity=capacity.pop("chat", 3),
            supervisor=bool(body.get("is_supervisor")),
        )
        row.skills = dict(body.get("skills") or {})  # none is none, not the CLI's default
        row.authority = dict(body.get("authority") or {})
        row.capacities = capacity
        await tx.session.flush()
        await _apply(tx, row, skills_changed=True)
    notify(rt, "specialist", row.id, "created")
    return row


async def save_specialist(
    rt: Runtime, specialist_id: str, changes: dict[str, Any], by: str | None = None
) -> Specialist:
    _check_people(changes)
    if changes.get("password") is not None and specialist_id == by:
        raise Invalid(
            "password", "Change your own password under your account: it asks for the current one."
        )
    password_hash = await _hashed(changes.pop("password", None))
    capacity = changes.pop("capacity", None)
    async with transaction(rt) as tx:
        row = await tx.session.get(Specialist, specialist_id)
        if row is None:
            raise ActionError("not_found", "No such specialist.")
        if row.deactivated_at is not None:
            raise Conflict(f"{row.name} is deactivated: reactivate them before changing them.")
        if changes.get("is_supervisor") is False and row.is_supervisor:
            await _not_the_last_supervisor(tx, row)
        for key in ("name", "role", "skills", "authority", "is_supervisor"):
            if changes.get(key) is not None:
                setattr(row, key, changes[key])
        if capacity is not None:
            row.capacity = capacity.get("chat", row.capacity)
            # Part of a configuration: the channels not named keep their capacity.
            row.capacities = {
                **row.capacities,
                **{k: v for k, v in capacity.items() if k != "chat"},
            }
        if password_hash is not None:
            row.password_hash = password_hash
            # A reset password signs out every desk of theirs.
            await tx.session.execute(delete(DeskSession).where(DeskSession.specialist_id == row.id))
        await tx.session.flush()
        await _apply(tx, row, skills_changed=changes.get("skills") is not None)
    if password_hash is not None:
        sign_out_sockets(rt, row.id)  # their open desks close too, not only new requests
    notify(rt, "specialist", row.id, "updated")
    return row


async def _not_the_last_supervisor(tx: Transaction, row: Specialist) -> None:
    others = await tx.session.scalar(
        select(func.count())
        .select_from(Specialist)
        .where(
            Specialist.is_supervisor.is_(True),
            Specialist.deactivated_at.is_(None),
            Specialist.id != row.id,
        )
    )
    if not others:
        raise Conflict("This is the last supervisor: make someone else one first.")


async def _room_for_one_more(tx: Transaction) -> None:
    count = await tx.session.scalar(
        select(func.count()).select_from(Specialist).where(Specialist.deactivated_at.is_(None))
    )
    if (count or 0) >= MAX_SPECIALISTS:
        raise Conflict(f"At most {MAX_SPECIALISTS} active specialists.")


# -- Leaving and coming back ----------------------------------------------------------------


async def deactivate_specialist(rt: Runtime, specialist_id: str, by: str) -> Specialist:
    """Someone leaves (or goes on long leave): the row stays for their history, but they
    can't sign in, every desk of theirs is signed out, and routing forgets them at once.

    In the engine this is a desk's grace drop (`specialist_dropped`: offline, a pending offer
    withdrawn and made to someone else, connected chats back to the front of the line, each
    customer told, sticky requests released), then no skills and no capacity, so nothing
    reaches them and nothing counts them as able to help. Their shifts leave the staffing
    plan (slots and wait estimates follow). Refused for oneself and the last supervisor.
    """
    async with transaction(rt) as tx:
        row = await tx.session.get(Specialist, specialist_id)
        if row is None:
            raise ActionError("not_found", "No such specialist.")
        if row.deactivated_at is not None:
            return row  # deactivated already: a resent request gets the same answer
        if row.id == by:
            raise Conflict(
                "You can't deactivate yourself: another supervisor has to (you would be "
                "signed out at once)."
            )
        if row.is_supervisor:
            await _not_the_last_supervisor(tx, row)
        row.deactivated_at = utcnow()
        await tx.session.execute(delete(DeskSession).where(DeskSession.specialist_id == row.id))
        await tx.session.flush()
        rt.presence_choice.pop(row.id, None)  # back as freshly registered, if ever
        rt.drop_at.pop(row.id, None)  # dropped now, not after their desk's grace
        try:
            await apply(tx, rt.engine.specialist_dropped(row.id))
            await apply(tx, rt.engine.set_specialist(row.id, skills={}, capacity=0, authority={}))
        except UnknownSpecialist:
            pass  # never known to this engine (added by the CLI, no desk since): nothing held
        await _replan(tx)
    sign_out_sockets(rt, row.id)  # their open desks close with `signed_out` (4401)
    notify(rt, "specialist", row.id, "deactivated")
    return row


async def reactivate_specialist(rt: Runtime, specialist_id: str) -> Specialist:
    """Back as a freshly registered specialist: routed by their skills, authority and
    capacity, offline until their desk connects; their shifts count again."""
    async with transaction(rt) as tx:
        row = await tx.session.get(Specialist, specialist_id)
        if row is None:
            raise ActionError("not_found", "No such specialist.")
        if row.deactivated_at is None:
            return row  # active already: a resent request gets the same answer
        await _room_for_one_more(tx)
        row.deactivated_at = None
        await tx.session.flush()
        rt.presence_choice.pop(row.id, None)
        # Offline whatever a frame in flight at their sign-out said (not known since a
        # restart: registered, offline, just below).
        with contextlib.suppress(UnknownSpecialist):
            await apply(tx, rt.engine.specialist_dropped(row.id))
        await _apply(tx, row, skills_changed=True)
    notify(rt, "specialist", row.id, "reactivated")
    return row


async def _apply(tx: Transaction, row: Specialist, *, skills_changed: bool) -> None:
    """Skills, authority and capacities in the engine; skills also staff queues' slots."""
    await apply(tx, policy.apply_specialist(tx.rt, row))
    if skills_changed:
        await policy.reload_staffing(tx)
        await callbacks.rebook_displaced(tx)


# -- Shifts ---------------------------------------------------------------------------------


def _check_shift(timezone: str, weekly: Any, start: int | None, end: int | None) -> None:
    """A complete shift: weekly hours, or a dated start and end (ms), in a time zone."""
    policy.check_timezone(timezone)
    if (weekly is None) == (start is None or end is None):
        raise Invalid("weekly", "A shift is weekly hours, or a dated start and end.")
    if start is not None and end is not None:
        if end <= start:
            raise Invalid("end", "A shift ends after it starts.")
        if end - start > MAX_DATED * 1000:
            raise Invalid("end", f"A dated shift lasts at most {MAX_DATED // 86400} days.")
    if weekly is not None:
        if not any(weekly.values()):
            raise Invalid("weekly", "A weekly shift needs at least one interval.")
        policy.check_hours(weekly, timezone, field="weekly")


async def add_shift(rt: Runtime, body: dict[str, Any]) -> Shift:
    timezone = body.get("timezone") or "UTC"
    weekly, start, end = body.get("weekly"), body.get("start"), body.get("end")
    _check_shift(timezone, weekly, start, end)
    async with transaction(rt) as tx:
        if await tx.session.get(Specialist, body["specialist_id"]) is None:
            raise ActionError("not_found", "No such specialist.")
        count = await tx.session.scalar(
            select(func.count())
            .select_from(Shift)
            .where(Shift.specialist_id == body["specialist_id"])
        )
        if (count or 0) >= MAX_SHIFTS:
            raise Conflict(f"At most {MAX_SHIFTS} shifts per specialist: remove old ones first.")
        row = Shift(id=new_id("sh"), specialist_id=body["specialist_id"], timezone=timezone)
        _set_times(row, weekly, start, end)
        tx.session.add(row)
        await _replan(tx)
    notify(rt, "shift", row.id, "created")
    return row


async def save_shift(rt: Runtime, shift_id: str, changes: dict[str, Any]) -> Shift:
    """Change a shift's time zone or times; giving `weekly` makes it weekly, `start` and
    `end` make it dated (the other kind's fields are cleared)."""
    async with transaction(rt) as tx:
        row = await tx.session.get(Shift, shift_id)
        if row is None:
            raise ActionError("not_found", "No such shift.")
        timezone = changes.get("timezone") or row.timezone
        weekly = changes.get("weekly")
        start, end = changes.get("start"), changes.get("end")
        if weekly is None and start is None and end is None:
            weekly = row.weekly
            start, end = _ms(row.start), _ms(row.end)
        elif weekly is None:
            start = start if start is not None else _ms(row.start)
            end = end if end is not None else _ms(row.end)
        _check_shift(timezone, weekly, start, end)
        row.timezone = timezone
        _set_times(row, weekly, start, end)
        await _replan(tx)
    notify(rt, "shift", row.id, "updated")
    return row


def _ms(value: float | None) -> int | None:
    return None if value is None else round(value * 1000)


def _set_times(row: Shift, weekly: Any, start: int | None, end: int | None) -> None:
    row.weekly = weekly
    row.start = start / 1000 if weekly is None and start is not None else None
    row.end = end / 1000 if weekly is None and end is not None else None


async def _replan(tx: Transaction) -> None:
    await tx.session.flush()
    await policy.reload_staffing(tx)
    await callbacks.rebook_displaced(tx)


async def delete_shift(rt: Runtime, shift_id: str) -> None:
    async with transaction(rt) as tx:
        row = await tx.session.get(Shift, shift_id)
        if row is None:
            raise ActionError("not_found", "No such shift.")
        await tx.session.delete(row)
        await _replan(tx)
    notify(rt, "shift", shift_id, "deleted")
