"""What a specialist can change from the desk: presence, offers, replies, outcomes."""

from __future__ import annotations

from sqlalchemy import select

from tapline.actions import Transaction, transaction
from tapline.actions.effects import apply
from tapline.engine import (
    EngineError,
    InvalidTransition,
    NotAssigned,
    NotOffered,
    Presence,
    UnknownRequest,
    UnknownSpecialist,
)
from tapline.errors import ActionError
from tapline.lib import configuration, sanitize, views
from tapline.lib.runtime import Runtime
from tapline.store.models import Offer, Request, Specialist

DISPOSITIONS = ("resolved", "resolved_with_followup", "not_resolved", "duplicate")
CHOOSABLE = {"available": Presence.AVAILABLE, "busy": Presence.BUSY, "away": Presence.AWAY}


def _engine_error(error: EngineError) -> ActionError:
    if isinstance(error, UnknownRequest):
        return ActionError("not_found", "That request has ended or does not exist.")
    if isinstance(error, NotOffered):
        return ActionError("not_allowed", "That offer is no longer yours.")
    if isinstance(error, NotAssigned):
        return ActionError("not_allowed", "That request is not yours.")
    if isinstance(error, InvalidTransition):
        return ActionError("invalid_state", "That request cannot do that now.")
    return ActionError("invalid_state", str(error))


async def set_presence(rt: Runtime, specialist_id: str, status: object) -> str:
    if not isinstance(status, str) or status not in CHOOSABLE:
        raise ActionError("bad_frame", "Presence is one of: available, busy, away.")
    rt.presence_choice[specialist_id] = CHOOSABLE[status]
    async with transaction(rt) as tx:
        await apply(tx, rt.engine.set_presence(specialist_id, CHOOSABLE[status]))
    return status


async def accept(rt: Runtime, specialist_id: str, request_id: str) -> None:
    async with transaction(rt) as tx:
        row = await tx.session.get(Request, request_id)
        if row is not None and row.state == "connected" and row.specialist_id == specialist_id:
            return  # accepted already: a resent frame gets the same answer
        await _run(tx, lambda: rt.engine.accept(request_id, specialist_id))
    views.audit_context(specialist_id, request_id, "desk.accept")  # the context is theirs now


async def decline(rt: Runtime, specialist_id: str, request_id: str) -> None:
    async with transaction(rt) as tx:
        try:
            effects = rt.engine.decline(request_id, specialist_id)
        except EngineError as error:
            if await _declined_already(tx, specialist_id, request_id):
                return  # a resend: the same answer as the first time
            raise _engine_error(error) from error
        await apply(tx, effects)


async def _declined_already(tx: Transaction, specialist_id: str, request_id: str) -> bool:
    latest = await tx.session.scalar(
        select(Offer.outcome)
        .where(Offer.request_id == request_id, Offer.specialist_id == specialist_id)
        .order_by(Offer.id.desc())
        .limit(1)
    )
    return latest == "declined"


async def resolve(
    rt: Runtime, specialist_id: str, request_id: str, disposition: object, note: object
) -> str:
    if disposition not in DISPOSITIONS:
        raise ActionError("bad_frame", "Disposition is one of: " + ", ".join(DISPOSITIONS))
    if note is not None and (not isinstance(note, str) or len(note) > 2000):
        raise ActionError("bad_frame", "A note is text of at most 2000 characters.")
    async with transaction(rt) as tx:
        done = await tx.session.get(Request, request_id)
        if (
            done is not None
            and done.specialist_id == specialist_id
            and done.ended_at is not None
            and done.disposition == disposition
        ):
            return done.state  # resolved so already: a resent frame gets the same answer
        row = await _mine(tx, specialist_id, request_id)
        row.disposition = str(disposition)
        row.note = sanitize.redact_cards(note) if note else None
        unresolved = disposition == "not_resolved"
        await _run(tx, lambda: rt.engine.resolve(request_id, specialist_id, unresolved=unresolved))
        return row.state


async def specialist_online(rt: Runtime, specialist_id: str) -> None:
    """A desk socket opened: back to the presence this specialist last chose."""
    rt.drop_at.pop(specialist_id, None)
    choice = rt.presence_choice.get(specialist_id, Presence.AVAILABLE)
    async with transaction(rt) as tx:
        try:
            current = rt.engine.specialist(specialist_id).presence
        except UnknownSpecialist:  # added while the server ran, by another process (the CLI)
            row = await tx.session.get(Specialist, specialist_id)
            if row is None:
                return
            # Skills, authority and every channel's capacity, as at start or a Configure save.
            await apply(tx, configuration.apply_specialist(rt, row))
            await configuration.reload_staffing(tx)
            current = Presence.OFFLINE
        if current is not choice:
            await apply(tx, rt.engine.set_presence(specialist_id, choice))


def specialist_left(rt: Runtime, specialist_id: str) -> None:
    """No desk of theirs is open anywhere: after the grace time their requests are re-routed.

    A deadline on the engine's clock, driven by the ticker (`drop_due`).
    """
    rt.drop_at[specialist_id] = rt.clock.now() + rt.settings.specialist_grace
    rt.wake()


async def drop_due(tx: Transaction) -> None:
    """Desks gone past their grace time, none back: their requests are re-routed."""
    rt = tx.rt
    now = rt.clock.now()
    for specialist_id, at in sorted(rt.drop_at.items(), key=lambda item: item[1]):
        if at > now:
            continue
        del rt.drop_at[specialist_id]
        if not desk_here(rt, specialist_id):
            await apply(tx, rt.engine.specialist_dropped(specialist_id))


async def _run(tx: Transaction, command: object) -> None:
    try:
        effects = command()  # type: ignore[operator]
    except EngineError as error:
        raise _engine_error(error) from error
    await apply(tx, effects)


async def _mine(tx: Transaction, specialist_id: str, request_id: str) -> Request:
    row = await tx.session.get(Request, request_id)
    if row is None or row.specialist_id != specialist_id:
        raise ActionError("not_allowed", "That request is not yours.")
    if row.state != "connected":
        raise ActionError("invalid_state", "That conversation has ended.")
    return row


def desk_here(rt: Runtime, specialist_id: str) -> bool:
    """A desk of theirs is open on this node or, as reported, on another."""
    if rt.desk_sockets.get(specialist_id, 0) > 0:
        return True
    return any(specialist_id in report.desks for report in rt.attendance.live())
