"""Honest waits on the server: learn each queue's laws from history, estimate, push changes.

The estimator itself is pure (`engine/estimates.py`); this module feeds it what happened and
asks it for every waiting request. See docs/subsystems/estimates.md.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import select

from tapline.engine import EngineError, RequestState
from tapline.engine.estimates import Estimate, QueueModel
from tapline.models import Request
from tapline.runtime import Runtime
from tapline.streams import customer_stream, now_ms

log = logging.getLogger("tapline.waits")
HISTORY = 2000  # finished requests per queue read back at start
PUSH_INTERVAL = 1.0
MEANINGFUL = 0.15  # a relative change of the mean or an end of the range worth telling


@dataclass
class Shown:
    """What a customer was last told, and the first estimate (for the calibration)."""

    first: Estimate
    last: dict[str, Any]


def model(rt: Runtime, queue_id: str) -> QueueModel:
    found = rt.wait_models.get(queue_id)
    if found is None:
        found = rt.wait_models[queue_id] = QueueModel()
    return found


def estimate(rt: Runtime, request_id: str) -> tuple[Estimate, dict[str, Any]] | None:
    """The estimate for one waiting request now, and its wire form (docs/protocol.md)."""
    try:
        view = rt.engine.request(request_id)
        load = rt.engine.eligible_load(request_id)
    except EngineError:
        return None
    if view.state not in (RequestState.WAITING, RequestState.OFFERED):
        return None
    servers = max(load.slots, len(load.busy_elapsed))
    value = model(rt, view.queue_id).estimate(load.ahead, servers, load.busy_elapsed)
    return value, wire(value, load.ahead + 1)


def wire(value: Estimate, position: int) -> dict[str, Any]:
    def seconds(x: float) -> int | None:
        return round(x) if math.isfinite(x) else None

    return {
        "position": position,
        "mean": seconds(value.mean),
        "low": seconds(value.low),
        "high": seconds(value.high),
        "at": now_ms(),
    }


def _meaningful(old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    if old is None or old["position"] != new["position"]:
        return True
    if old.get("options") != new.get("options"):
        return True
    for key in ("mean", "low", "high"):
        a, b = old[key], new[key]
        if (a is None) != (b is None):
            return True
        if a is not None and b is not None and abs(a - b) > max(30, MEANINGFUL * max(a, b)):
            return True
    return False


def refresh(rt: Runtime, request_id: str, *, force: bool = False) -> dict[str, Any] | None:
    """Recompute; publish an `estimate` signal when it changed meaningfully (or `force`)."""
    result = estimate(rt, request_id)
    if result is None:
        return None
    value, shown = result
    queue = rt.queue_rows.get(rt.engine.request(request_id).queue_id)
    if queue is not None:
        shown = {**shown, "options": _options(rt, queue, value.high, in_line=True)}
    seen: Shown | None = rt.shown.get(request_id)
    if seen is None:
        rt.shown[request_id] = Shown(value, shown)
    elif not force and not _meaningful(seen.last, shown):
        return seen.last
    else:
        seen.last = shown
    rt.bus.publish(
        customer_stream(request_id), {"type": "estimate", "request_id": request_id, **shown}
    )
    return shown


def learn_served(rt: Runtime, row: Request, now: float) -> None:
    """A specialist took the request: its wait ended served."""
    waited = now - row.enqueued_at
    queue_model = model(rt, row.queue_id)
    queue_model.observe_wait(waited, abandoned=False)
    seen = rt.shown.pop(row.id, None)
    if seen is not None:
        queue_model.observe_outcome(seen.first, waited, served=True)


def learn_abandoned(rt: Runtime, row: Request, now: float) -> None:
    waited = now - row.enqueued_at
    queue_model = model(rt, row.queue_id)
    queue_model.observe_wait(waited, abandoned=True)
    seen = rt.shown.pop(row.id, None)
    if seen is not None:
        queue_model.observe_outcome(seen.first, waited, served=False)


def learn_handled(rt: Runtime, row: Request, handle_seconds: float) -> None:
    model(rt, row.queue_id).observe_service(handle_seconds)


def forget(rt: Runtime, request_id: str) -> None:
    rt.shown.pop(request_id, None)


async def warm(rt: Runtime) -> None:
    """Learn from the recent history in the database, oldest first."""
    async with rt.sessions() as session:
        rows = list(
            await session.scalars(
                select(Request)
                .where(Request.ended_at.is_not(None))
                .order_by(Request.enqueued_at.desc())
                .limit(HISTORY * max(1, len(rt.queue_names)))
            )
        )
    for row in reversed(rows):
        queue_model = model(rt, row.queue_id)
        if row.served_at is not None:
            queue_model.observe_wait(row.served_at - row.enqueued_at, abandoned=False)
            if (
                row.connected_at is not None
                and row.ended_at is not None
                and row.state == "resolved"
            ):
                handle = (row.ended_at - row.connected_at).total_seconds()
                if handle > 0:
                    queue_model.observe_service(handle)
        elif row.cause == "abandoned" and row.ended_at is not None:
            waited = row.ended_at.replace(tzinfo=UTC).timestamp() - row.enqueued_at
            if waited > 0:
                queue_model.observe_wait(waited, abandoned=True)


async def push_forever(rt: Runtime) -> None:
    """While anything changes, tell waiting customers of meaningful changes, once a second."""
    while True:
        await rt.estimates_changed.wait()
        rt.estimates_changed.clear()
        try:
            for request_id in rt.engine.in_line():
                refresh(rt, request_id)
        except Exception:
            log.exception("estimate refresh failed")
        await asyncio.sleep(PUSH_INTERVAL)


def options(rt: Runtime, row: Request, queue: Any) -> dict[str, Any]:
    """What the widget offers besides waiting (docs/protocol.md, Honest waits)."""
    result = estimate(rt, row.id)
    high = result[0].high if result is not None else math.inf
    return _options(rt, queue, high, in_line=row.state in ("waiting", "offered"))


def _options(rt: Runtime, queue: Any, high: float, *, in_line: bool) -> dict[str, Any]:
    from tapline.configuration import business_hours

    now = rt.clock.now()
    hours = business_hours(queue)
    open_ = hours.is_open(now)
    long_wait = high >= queue.callback_threshold
    book = rt.slot_books.get(queue.id)
    can_schedule = bool(book is not None and book.slots(now, limit=1))
    next_open = None if open_ else hours.next_open(now)
    return {
        "open": open_,
        "wait": open_ and in_line,
        "callback": open_ and in_line and long_wait,
        "schedule": can_schedule,
        "next_open": int(next_open * 1000) if next_open is not None else None,
        "reason": None if open_ and not long_wait else ("long_wait" if open_ else "closed"),
    }
