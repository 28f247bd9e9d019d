"""Supervisors' configuration writes: persisted, then applied to the running engine."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from tapline import configuration as policy
from tapline.actions import ActionError, Transaction, callbacks, transaction
from tapline.actions.effects import apply
from tapline.models import Queue, RoutingRules, Shift, Specialist, new_id
from tapline.runtime import Runtime

CHANNELS = ("chat", "voice", "video")
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


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ActionError("bad_frame", f"Unknown time zone {name!r}.") from error


async def save_queue(rt: Runtime, queue_id: str | None, changes: dict[str, Any]) -> Queue:
    if "timezone" in changes and changes["timezone"] is not None:
        _check_timezone(changes["timezone"])
    if changes.get("hours") is not None:
        policy.check_hours(changes["hours"], changes.get("timezone") or "UTC")
    widen = changes.pop("widen_after", None)
    async with transaction(rt) as tx:
        fallback = changes.get("fallback_queue_id")
        if fallback is not None and await tx.session.get(Queue, fallback) is None:
            raise ActionError("bad_frame", "No such fallback queue.")
        row = await _queue(tx, queue_id, changes)
        for key, column in QUEUE_FIELDS.items():
            if key in changes and (changes[key] is not None or key in ("hours",)):
                setattr(row, column, changes[key])
        if widen is not None:
            if sorted(widen) != list(widen):
                raise ActionError("bad_frame", "widen_after is [T1, T2] with T1 <= T2.")
            row.widen_t1, row.widen_t2 = ([*list(widen), None, None])[:2]
        if row.fallback_queue_id == row.id:
            raise ActionError("bad_frame", "A queue cannot be its own fallback.")
        await tx.session.flush()
        await apply(tx, policy.apply_queue(rt, row))
        await callbacks.rebook_displaced(tx)
        rt.queue_names[row.id] = row.name
        rt.queues_dirty = True
        return row


async def _queue(tx: Transaction, queue_id: str | None, changes: dict[str, Any]) -> Queue:
    name = changes.get("name")
    if name:
        clash = await tx.session.scalar(select(Queue).where(Queue.name == name))
        if clash is not None and clash.id != queue_id:
            raise ActionError("bad_frame", f"A queue named {name!r} exists already.")
    if queue_id is not None and name:
        current = await tx.session.get(Queue, queue_id)
        rules = tx.rt.rules
        if (
            current is not None
            and current.name != name
            and rules is not None
            and current.name in rules.queue_ids()
        ):
            raise ActionError(
                "bad_frame",
                f"The routing rules send requests to {current.name!r}: "
                "change them first, then rename the queue.",
            )
    if queue_id is None:
        row = Queue(id=new_id("q"), name=changes["name"], skill=changes["skill"])
        tx.session.add(row)
        return row
    found = await tx.session.get(Queue, queue_id)
    if found is None:
        raise ActionError("not_found", "No such queue.")
    return found


async def save_specialist(rt: Runtime, specialist_id: str, changes: dict[str, Any]) -> Specialist:
    skills = changes.get("skills")
    if skills is not None and any(not 1 <= level <= 5 for level in skills.values()):
        raise ActionError("bad_frame", "Skill levels go from 1 to 5.")
    capacity = changes.pop("capacity", None)
    if capacity is not None:
        unknown = set(capacity) - set(CHANNELS)
        if unknown or any(not 0 <= value <= 20 for value in capacity.values()):
            raise ActionError("bad_frame", "Capacity is 0-20 per channel: chat, voice, video.")
    async with transaction(rt) as tx:
        row = await tx.session.get(Specialist, specialist_id)
        if row is None:
            raise ActionError("not_found", "No such specialist.")
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
        await tx.session.flush()
        await apply(tx, policy.apply_specialist(rt, row))
        if changes.get("skills") is not None:  # who staffs which queue's slots
            await policy.reload_staffing(tx)
            await callbacks.rebook_displaced(tx)
        return row


async def save_rules(rt: Runtime, toml_text: str, specialist_id: str) -> list[dict[str, Any]]:
    """The errors (line and message) that refuse the rules; none means they are in force."""
    async with transaction(rt) as tx:
        queues = {row.name: row.id for row in await tx.session.scalars(select(Queue))}
        errors, ruleset = policy.parse_rules(toml_text, queues)
        if errors:
            return errors
        tx.session.add(RoutingRules(toml=toml_text, updated_by=specialist_id))
        rt.rules = ruleset
    return []


async def add_shift(rt: Runtime, body: dict[str, Any]) -> Shift:
    _check_timezone(body["timezone"])
    weekly, start, end = body.get("weekly"), body.get("start"), body.get("end")
    if (weekly is None) == (start is None or end is None):
        raise ActionError("bad_frame", "A shift is weekly hours, or a dated start and end.")
    if start is not None and end is not None and end <= start:
        raise ActionError("bad_frame", "A shift ends after it starts.")
    if weekly is not None:
        policy.check_hours(weekly, body["timezone"])
    async with transaction(rt) as tx:
        if await tx.session.get(Specialist, body["specialist_id"]) is None:
            raise ActionError("not_found", "No such specialist.")
        row = Shift(
            id=new_id("sh"),
            specialist_id=body["specialist_id"],
            timezone=body["timezone"],
            weekly=weekly,
            start=start / 1000 if start is not None else None,
            end=end / 1000 if end is not None else None,
        )
        tx.session.add(row)
        await tx.session.flush()
        await policy.reload_staffing(tx)
        await callbacks.rebook_displaced(tx)
        return row


async def delete_shift(rt: Runtime, shift_id: str) -> None:
    async with transaction(rt) as tx:
        row = await tx.session.get(Shift, shift_id)
        if row is None:
            raise ActionError("not_found", "No such shift.")
        await tx.session.delete(row)
        await tx.session.flush()
        await policy.reload_staffing(tx)
        await callbacks.rebook_displaced(tx)
