"""Supervisors' configuration writes: persisted, then applied to the running engine.

Every write here takes the runtime's lock (`transaction`), changes the rows, brings the
engine, the rules, the slot books and the staffing plan along, and, after the commit,
publishes a `config` signal to supervisors (`notify`) so other Configure screens can follow.
Refusals are `Invalid` (422, naming the field), `Conflict` (409) or `not_found` (404).
Specialists and shifts are in `actions/staff.py`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from tapline.actions import Transaction, callbacks, transaction
from tapline.actions.effects import ALERTS_CHANNEL, apply
from tapline.errors import ActionError, Conflict, Invalid
from tapline.lib import configuration as policy
from tapline.lib.runtime import Runtime
from tapline.store.models import Callback, Queue, Request, RoutingRules, new_id, utcnow

__all__ = ["archive_queue", "restore_queue", "save_queue", "save_rules"]

MAX_QUEUES = 100
"""Queues in use at once (archived ones not counted)."""
LIVE = ("new", "scheduled", "waiting", "offered", "connected")
OPEN_CALLBACKS = ("promised", "ringing", "retrying")
QUEUE_FIELDS = {
    "name": "name",
    "skill": "skill",
    "priority": "priority",
    "timezone": "timezone",
    "hours": "hours",
    "sticky_seconds": "sticky_seconds",
    "callback_threshold": "callback_threshold",
    "fallback_queue_id": "fallback_queue_id",
    "service_target_seconds": "service_target",
}
NULLABLE = ("hours", "fallback_queue_id")


def notify(rt: Runtime, what: str, item_id: str | None, change: str) -> None:
    """After the commit: tell supervisors' desks what changed (a signal, not replayed)."""
    frame = {"type": "config", "what": what, "id": item_id, "change": change}
    rt.bus.publish(ALERTS_CHANNEL, frame)


# -- Queues ---------------------------------------------------------------------------------


async def save_queue(rt: Runtime, queue_id: str | None, changes: dict[str, Any]) -> Queue:
    """Create (`queue_id` None) or change a queue; the engine and slot books follow."""
    if changes.get("timezone") is not None:
        policy.check_timezone(changes["timezone"])
    widen = changes.pop("widen_after", None)
    if widen is not None and sorted(widen) != list(widen):
        raise Invalid("widen_after", "widen_after is [T1, T2] with T1 <= T2.")
    async with transaction(rt) as tx:
        await _check_fallback(tx, queue_id, changes.get("fallback_queue_id"))
        row = await _queue(tx, queue_id, changes)
        for key, column in QUEUE_FIELDS.items():
            if key in changes and (changes[key] is not None or key in NULLABLE):
                setattr(row, column, changes[key])
        if widen is not None:
            row.widen_t1, row.widen_t2 = ([*list(widen), None, None])[:2]
        if row.hours is not None and ("hours" in changes or "timezone" in changes):
            policy.check_hours(row.hours, row.timezone or "UTC")
        await tx.session.flush()
        await apply(tx, policy.apply_queue(rt, row))
        await callbacks.rebook_displaced(tx)
        rt.queues_dirty = True
    notify(rt, "queue", row.id, "created" if queue_id is None else "updated")
    return row


async def _check_fallback(tx: Transaction, queue_id: str | None, fallback: str | None) -> None:
    """Before the row changes (a flush would meet the foreign key first)."""
    if fallback is None:
        return
    if fallback == queue_id:
        raise Invalid("fallback_queue_id", "A queue cannot be its own fallback.")
    target = await tx.session.get(Queue, fallback)
    if target is None or target.archived_at is not None:
        raise Invalid("fallback_queue_id", "No such fallback queue.")


async def _queue(tx: Transaction, queue_id: str | None, changes: dict[str, Any]) -> Queue:
    name = changes.get("name")
    if name:
        clash = await tx.session.scalar(select(Queue).where(Queue.name == name))
        if clash is not None and clash.id != queue_id:
            archived = " (archived: restore it, or pick another name)" if clash.archived_at else ""
            raise Invalid("name", f"A queue named {name!r} exists already{archived}.")
    if queue_id is None:
        active = await tx.session.scalar(
            select(func.count()).select_from(Queue).where(Queue.archived_at.is_(None))
        )
        if (active or 0) >= MAX_QUEUES:
            raise Conflict(f"At most {MAX_QUEUES} queues: archive one first.")
        row = Queue(id=new_id("q"), name=changes["name"], skill=changes["skill"])
        tx.session.add(row)
        return row
    found = await tx.session.get(Queue, queue_id)
    if found is None:
        raise ActionError("not_found", "No such queue.")
    if found.archived_at is not None:
        raise Conflict("This queue is archived: restore it before changing it.")
    rules = tx.rt.rules
    if name and found.name != name and rules is not None and found.name in rules.queue_ids():
        raise Invalid(
            "name",
            f"The routing rules send requests to {found.name!r}: "
            "change them first, then rename the queue.",
        )
    return found


async def archive_queue(rt: Runtime, queue_id: str) -> str:
    """Take a queue out of use: "deleted" if nothing ever referred to it, else "archived"
    (kept for the requests it served). Refused (409) while anything still needs it."""
    async with transaction(rt) as tx:
        row = await tx.session.get(Queue, queue_id)
        if row is None or row.archived_at is not None:
            raise ActionError("not_found", "No such queue.")
        await _still_needed(tx, row)
        history = await tx.session.scalar(
            select(func.count()).select_from(Request).where(Request.queue_id == row.id)
        )
        rings = await tx.session.scalar(
            select(func.count()).select_from(Callback).where(Callback.queue_id == row.id)
        )
        policy.forget_queue(rt, row.id)
        if history or rings:
            row.archived_at = utcnow()
            outcome = "archived"
        else:
            # Archived queues that fell back on it let go (their policy is not in use).
            await tx.session.execute(
                update(Queue)
                .where(Queue.fallback_queue_id == row.id)
                .values(fallback_queue_id=None)
            )
            await tx.session.delete(row)
            outcome = "deleted"
    notify(rt, "queue", queue_id, outcome)
    return outcome


async def _still_needed(tx: Transaction, row: Queue) -> None:
    """Requests waiting, offered, connected, booked or not yet open keep a queue in use: the
    choice is the supervisor's (wait for them, or route new ones elsewhere first), never a
    silent move of someone's place in line."""
    live = await tx.session.scalar(
        select(func.count())
        .select_from(Request)
        .where(Request.queue_id == row.id, Request.state.in_(LIVE))
    )
    if live:
        raise Conflict(
            f"{live} request{'s' if live != 1 else ''} in {row.name!r} "
            f"{'are' if live != 1 else 'is'} not finished (waiting, booked or being helped). "
            "Stop new ones reaching it (rules, fallbacks), let these finish, then try again."
        )
    rings = await tx.session.scalar(
        select(func.count())
        .select_from(Callback)
        .where(Callback.queue_id == row.id, Callback.state.in_(OPEN_CALLBACKS))
    )
    if rings:
        raise Conflict(f"{rings} callback(s) promised in {row.name!r} are still open.")
    rules = tx.rt.rules
    if rules is not None and row.name in rules.queue_ids():
        raise Conflict(f"The routing rules send requests to {row.name!r}: change them first.")
    fallers = list(
        await tx.session.scalars(
            select(Queue.name).where(Queue.fallback_queue_id == row.id, Queue.archived_at.is_(None))
        )
    )
    if fallers:
        raise Conflict(
            f"{', '.join(sorted(fallers))} fall(s) back on {row.name!r}: change that first."
        )
    others = await tx.session.scalar(
        select(func.count())
        .select_from(Queue)
        .where(Queue.archived_at.is_(None), Queue.id != row.id)
    )
    if not others:
        raise Conflict("This is the last queue: requests need one. Add another first.")


async def restore_queue(rt: Runtime, queue_id: str) -> Queue:
    async with transaction(rt) as tx:
        row = await tx.session.get(Queue, queue_id)
        if row is None:
            raise ActionError("not_found", "No such queue.")
        if row.archived_at is None:
            return row
        active = await tx.session.scalar(
            select(func.count()).select_from(Queue).where(Queue.archived_at.is_(None))
        )
        if (active or 0) >= MAX_QUEUES:
            raise Conflict(f"At most {MAX_QUEUES} queues: archive one first.")
        row.archived_at = None
        if row.fallback_queue_id is not None:
            target = await tx.session.get(Queue, row.fallback_queue_id)
            if target is None or target.archived_at is not None:
                row.fallback_queue_id = None
        await tx.session.flush()
        await apply(tx, policy.apply_queue(rt, row))
        await callbacks.rebook_displaced(tx)
    notify(rt, "queue", row.id, "restored")
    return row


# -- Rules ----------------------------------------------------------------------------------


async def save_rules(rt: Runtime, toml_text: str, specialist_id: str) -> list[dict[str, Any]]:
    """The errors (line and message) that refuse the rules; none means they are in force."""
    async with transaction(rt) as tx:
        rows = await tx.session.scalars(select(Queue).where(Queue.archived_at.is_(None)))
        queues = {row.name: row.id for row in rows}
        errors, ruleset = policy.parse_rules(toml_text, queues)
        if errors:
            return errors
        tx.session.add(RoutingRules(toml=toml_text, updated_by=specialist_id))
        rt.rules = ruleset
    notify(rt, "rules", None, "updated")
    return []
