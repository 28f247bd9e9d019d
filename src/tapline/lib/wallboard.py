"""The supervisor's live wallboard: per queue, what is waiting, who is there, how today went."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tapline.engine import Presence, UnknownSpecialist
from tapline.lib.configuration import queue_open
from tapline.lib.runtime import Runtime
from tapline.store.models import Callback, Queue, Request, Specialist
from tapline.store.streams import now_ms

WAITING = ("waiting", "offered")
Row = tuple[str, str | None, float, float | None]
"""A request as today's figures see it: state, cause, enqueued_at, served_at."""
OPEN_CALLBACKS = ("promised", "ringing", "retrying")


def specialist_state(rt: Runtime, specialist_id: str) -> str:
    """available (with room), busy (full, or busy by choice), away, or offline."""
    try:
        state = rt.engine.specialist(specialist_id)
    except UnknownSpecialist:
        return "offline"
    if state.presence is Presence.AVAILABLE:
        return "available" if state.has_capacity() else "busy"
    return str(state.presence)


async def build(rt: Runtime) -> dict[str, Any]:
    async with rt.sessions() as session:
        active = select(Queue).where(Queue.archived_at.is_(None))
        queues = list(await session.scalars(active.order_by(Queue.created_at)))
        people = select(Specialist).where(Specialist.deactivated_at.is_(None))
        specialists = list(await session.scalars(people))
        return {
            "at": now_ms(),
            "queues": [await _queue(rt, session, queue, specialists) for queue in queues],
        }


async def _queue(
    rt: Runtime, session: AsyncSession, queue: Queue, specialists: list[Specialist]
) -> dict[str, Any]:
    now = rt.clock.now()
    oldest = await session.scalar(
        select(func.min(Request.enqueued_at)).where(
            Request.queue_id == queue.id, Request.state.in_(WAITING)
        )
    )
    states = Counter(
        specialist_state(rt, row.id) for row in specialists if row.skills.get(queue.skill)
    )
    return {
        "id": queue.id,
        "name": queue.name,
        "open": queue_open(queue, now),
        "waiting": rt.queue_counts.get(queue.id, 0),
        "oldest_wait": round(now - oldest, 1) if oldest is not None else None,
        "specialists": {name: states.get(name, 0) for name in _STATES},
        **await _callbacks(session, queue, now),
        "today": await _today(session, queue, now),
    }


_STATES = ("available", "busy", "away", "offline")


async def _callbacks(session: AsyncSession, queue: Queue, now: float) -> dict[str, Any]:
    due = await session.scalar(
        select(func.count()).where(
            Callback.queue_id == queue.id,
            Callback.state.in_(OPEN_CALLBACKS),
            Callback.window_start <= now + 900,
        )
    )
    since = _start_of_day(queue, now)
    rows = await session.execute(
        select(Callback.kept, func.count())
        .where(
            Callback.queue_id == queue.id, Callback.kept.is_not(None), Callback.window_end >= since
        )
        .group_by(Callback.kept)
    )
    kept = {bool(value): count for value, count in rows}
    return {
        "callbacks_due": int(due or 0),
        "callbacks_kept": {"kept": kept.get(True, 0), "total": sum(kept.values())},
    }


async def _today(session: AsyncSession, queue: Queue, now: float) -> dict[str, Any]:
    since = _start_of_day(queue, now)
    rows = list(
        await session.execute(
            select(Request.state, Request.cause, Request.enqueued_at, Request.served_at).where(
                Request.queue_id == queue.id,
                Request.enqueued_at >= since,
                # Not offered to the queue yet: made while closed, or booked for later.
                Request.state.not_in(("new", "scheduled")),
            )
        )
    )
    return today([(r[0], r[1], r[2], r[3]) for r in rows], now, queue.service_target)


def today(rows: Sequence[Row], now: float, target: float) -> dict[str, Any]:
    """Today's figures from (state, cause, enqueued_at, served_at) rows: docs/protocol.md,
    Wallboard. Every request offered is in exactly one of answered, abandoned, waiting and
    ended unanswered, so those four add up to `offered`."""
    answered = [served - enqueued for _, _, enqueued, served in rows if served is not None]
    within = sum(1 for wait in answered if wait <= target)
    unanswered = [
        (state, cause, now - enqueued) for state, cause, enqueued, served in rows if served is None
    ]
    waits = [wait for state, _, wait in unanswered if state in WAITING]
    abandoned = sum(1 for state, cause, _ in unanswered if _abandoned(state, cause))
    waiting_within = sum(1 for wait in waits if wait <= target)
    # Settled: every request but those still waiting inside the target, whose fate is open.
    settled = len(rows) - waiting_within
    dead_ends = Counter(cause for state, cause, _, _ in rows if state == "dead_end" and cause)
    return {
        "offered": len(rows),
        "answered": len(answered),
        "within_target": within,
        "abandoned": abandoned,
        "waiting": len(waits),
        "waiting_over_target": len(waits) - waiting_within,
        "ended_unanswered": len(unanswered) - len(waits) - abandoned,
        "settled": settled,
        "service_level": round(within / settled, 3) if settled else None,
        "target_seconds": target,
        "dead_ends": dict(dead_ends),
    }


def _abandoned(state: str, cause: str | None) -> bool:
    """The customer left before anyone answered: cancelled, or gone past the grace."""
    return state == "cancelled" or (state == "dead_end" and cause == "abandoned")


def _start_of_day(queue: Queue, now: float) -> float:
    zone = ZoneInfo(queue.timezone or "UTC")
    local = datetime.fromtimestamp(now, zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - timedelta(0)).timestamp()


WALLBOARD_CHANNEL = "desk:wallboard"
WALLBOARD_INTERVAL = 1.0


async def publish_forever(rt: Runtime) -> None:
    """At most once a second, while anything changed and a supervisor is watching."""
    import asyncio
    import logging

    log = logging.getLogger("tapline.wallboard")
    while True:
        await rt.changed.wait()
        rt.changed.clear()
        # Watchers here, or (as their nodes report) on any other node.
        if rt.bus.listeners(WALLBOARD_CHANNEL) or rt.attendance.watching():
            try:
                rt.bus.publish(WALLBOARD_CHANNEL, {"type": "wallboard", **await build(rt)})
            except Exception:
                log.exception("wallboard update failed")
        await asyncio.sleep(WALLBOARD_INTERVAL)
