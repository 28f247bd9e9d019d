"""Configuration rows (queues, hours, shifts, rules) turned into what the engine works with.

The API speaks the shapes of docs/protocol.md (Supervisor configuration); the engine's
modules have their own forms. This module is the one place that translates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from tapline.engine import Effect
from tapline.engine import rules as engine_rules
from tapline.engine.hours import BusinessHours, parse_hours
from tapline.engine.policy import QueuePolicy
from tapline.engine.rules import Routing
from tapline.engine.slots import SlotBook
from tapline.engine.staffing import DatedShift, Staffing, WeeklyShift
from tapline.engine.wall_clock import HoursError, OpenRange
from tapline.errors import ActionError, Invalid
from tapline.lib.runtime import Runtime
from tapline.store.models import Queue, Shift, Specialist

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def check_timezone(name: str, field: str = "timezone") -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise Invalid(field, f"Unknown time zone {name!r}.") from error


def _ranges(value: object, where: str) -> list[str]:
    if not isinstance(value, list):
        raise Invalid(where, "a list of [start, end] times.")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, list) and len(item) == 2 and all(isinstance(t, str) for t in item):
            out.append(f"{item[0]}-{item[1]}")
        else:
            raise Invalid(where, 'each range is ["08:00", "20:00"].')
    return out


def hours_form(hours: Mapping[str, Any], timezone: str) -> dict[str, Any]:
    """The API's `{"mon": [["08:00", "20:00"]], "closed_on": [...]}` in the engine's form."""
    unknown = set(hours) - {*DAYS, "closed_on", "special"}
    if unknown:
        raise Invalid("hours", f"hours: unknown keys {sorted(unknown)}.")
    weekly = {day: _ranges(hours[day], f"hours.{day}") for day in DAYS if day in hours}
    exceptions: dict[str, list[str]] = {str(day): [] for day in hours.get("closed_on") or []}
    for day, ranges in (hours.get("special") or {}).items():
        exceptions[str(day)] = _ranges(ranges, f"hours.special.{day}")
    return {"timezone": timezone, "weekly": weekly, "exceptions": exceptions}


def business_hours(queue: Queue) -> BusinessHours:
    if queue.hours is None:
        return BusinessHours.always(queue.timezone or "UTC")
    return parse_hours(hours_form(queue.hours, queue.timezone or "UTC"))


_WHERE = re.compile(r"^hours: (?:weekly '[a-z-]+'(?: \([a-z]+\))?: |exception )")


def _parse_part(part: Mapping[str, Any], timezone: str, field: str) -> None:
    try:
        parse_hours(hours_form(part, timezone))
    except HoursError as error:
        raise Invalid(field, _WHERE.sub("", str(error))) from error
    except Invalid as error:
        raise Invalid(field, error.message) from error


def check_hours(hours: Mapping[str, Any], timezone: str, field: str = "hours") -> None:
    """Refused with the path of the first day, date or range that is wrong."""
    if not isinstance(hours, Mapping):
        raise Invalid(field, "Hours are a table of days, closed_on and special.")
    check_timezone(timezone)
    for day in DAYS:
        if day in hours:
            _parse_part({day: hours[day]}, timezone, f"{field}.{day}")
    for index, date in enumerate(hours.get("closed_on") or []):
        _parse_part({"closed_on": [date]}, timezone, f"{field}.closed_on.{index}")
    for date, ranges in (hours.get("special") or {}).items():
        _parse_part({"special": {date: ranges}}, timezone, f"{field}.special.{date}")
    _parse_part(hours, timezone, field)


def queue_open(queue: Queue, now: float) -> bool:
    try:
        return business_hours(queue).is_open(now)
    except (HoursError, ActionError):
        return True  # stored hours that no longer parse must not close a queue silently


def shifts_of(row: Shift) -> list[WeeklyShift | DatedShift]:
    if row.start is not None and row.end is not None:
        return [DatedShift(row.specialist_id, row.start, row.end)]
    shifts: list[WeeklyShift | DatedShift] = []
    for index, day in enumerate(DAYS):
        for text in _ranges((row.weekly or {}).get(day, []), f"shift.{day}"):
            try:
                hours = OpenRange.parse(text)
            except HoursError as error:
                raise ActionError("bad_frame", f"shift.{day}: {error}") from error
            shifts.append(WeeklyShift(row.specialist_id, frozenset({index}), hours, row.timezone))
    return shifts


async def load_staffing(session: Any) -> Staffing:
    """The plan of active specialists: a deactivated one's shifts are kept, not counted."""
    active = select(Specialist).where(Specialist.deactivated_at.is_(None))
    people = {row.id: dict(row.skills) for row in await session.scalars(active)}
    rows = await session.scalars(
        select(Shift)
        .join(Specialist, Specialist.id == Shift.specialist_id)
        .where(Specialist.deactivated_at.is_(None))
    )
    shifts = [item for row in rows for item in shifts_of(row)]
    return Staffing(shifts, people)


# -- Queues, specialists and rules in the engine -------------------------------------------


def queue_policy(row: Queue) -> QueuePolicy:
    return QueuePolicy(
        priority=row.priority,
        sticky_seconds=row.sticky_seconds,
        widen_after=row.widen_t1,
        anyone_after=row.widen_t2,
        fallback=row.fallback_queue_id,
    )


def apply_queue(rt: Runtime, row: Queue) -> list[Effect]:
    """The queue's skill and policy in the engine, its name for the rules, its slot book.

    An archived queue stays known to the engine (it holds no requests: it was empty when
    archived) but not by name: no rules, desks' lists, wallboard or slots."""
    effects = rt.engine.add_queue(row.id, row.skill, policy=queue_policy(row))
    if row.archived_at is not None:
        forget_queue(rt, row.id)
        return effects
    rt.queue_names[row.id] = row.name
    rt.queue_rows[row.id] = row
    rt.queue_ids = {name: queue_id for queue_id, name in rt.queue_names.items()}
    hours = business_hours(row)
    book = rt.slot_books.get(row.id)
    if book is None:
        rt.slot_books[row.id] = SlotBook(row.id, hours, rt.staffing, row.skill)
    else:
        book.set_hours(hours, rt.clock.now())
    return effects


def forget_queue(rt: Runtime, queue_id: str) -> None:
    """An archived or deleted queue leaves the names, lists and slot books (not the engine:
    it has no request left there, and the engine has no way to remove a queue)."""
    rt.queue_names.pop(queue_id, None)
    rt.queue_rows.pop(queue_id, None)
    rt.queue_counts.pop(queue_id, None)
    rt.slot_books.pop(queue_id, None)
    rt.queue_ids = {name: qid for qid, name in rt.queue_names.items()}
    rt.queues_dirty = True


def apply_specialist(rt: Runtime, row: Specialist) -> list[Effect]:
    capacity = {"chat": row.capacity, **{k: int(v) for k, v in row.capacities.items()}}
    return rt.engine.set_specialist(
        row.id, skills=dict(row.skills), capacity=capacity, authority=dict(row.authority)
    )


def parse_rules(text: str, queues: Mapping[str, str]) -> tuple[list[dict[str, Any]], Any]:
    """(errors, rules): each error has the line and the reason; queues are named by name."""
    try:
        rules = engine_rules.parse_rules(text, "rules.toml", queues=set(queues))
    except engine_rules.RulesError as error:
        return [
            {"line": p.line, "message": f"{p.path}: {p.reason}" if p.path else p.reason}
            for p in error.problems
        ], None
    if rules.queues:
        line = next(
            (
                n
                for n, text_line in enumerate(text.splitlines(), 1)
                if text_line.strip().startswith("[queue")
            ),
            None,
        )
        return [
            {
                "line": line,
                "message": "Set a queue's priority, stickiness, widening and "
                "fallback on the queue itself (Configure, Queues), not in the rules.",
            }
        ], None
    return [], rules


def route(rt: Runtime, context: Mapping[str, Any], claims: Mapping[str, Any]) -> Routing | None:
    """Where a new request goes, by the rules in force; None means the first queue."""
    if rt.rules is None:
        return None
    routing = rt.rules.route(context, claims=claims)
    queue_id = rt.queue_ids.get(routing.queue_id)
    if queue_id is None:
        return None
    return Routing(queue_id, routing.requirements, routing.priority, routing.rule, routing.dropped)


async def reload_staffing(tx: Any) -> None:
    """Shifts or skills changed: a new staffing plan for the slot books."""
    rt: Runtime = tx.rt
    rt.staffing = await load_staffing(tx.session)
    now = rt.clock.now()
    for book in rt.slot_books.values():
        book.set_staffing(rt.staffing, now)
