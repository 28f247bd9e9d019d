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
from tapline.engine.estimates import Estimate, QueueModel, Staffing
from tapline.engine.request import RequestView
from tapline.models import Request
from tapline.runtime import Runtime
from tapline.streams import customer_stream, now_ms

log = logging.getLogger("tapline.waits")
HISTORY = 2000  # finished requests per queue read back at start
PUSH_INTERVAL = 1.0
MEANINGFUL = 0.15  # a relative change of the mean or an end of the range worth telling
AHEAD_WAITED_MAX = 200  # mixed needs: past this many ahead, their waits are not weighed
STAFFING_HORIZON = 12 * 3600.0
OFFER_QUOTE = 60.0  # the longest an offer is shown as taking


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
    except EngineError:
        return None
    if view.state not in (RequestState.WAITING, RequestState.OFFERED):
        return None
    found = line_estimates(rt, view.queue_id, _lines(rt).get(view.queue_id, [])).get(request_id)
    return (found[0], wire(found[0], found[1])) if found is not None else None


def line_estimates(
    rt: Runtime, queue_id: str, line: list[RequestView]
) -> dict[str, tuple[Estimate, int]]:
    """Every request in a queue's `line` (head first): its estimate and 1-based position.

    One pass over the line: the eligible load is read once per kind of need, and when the
    whole line shares one need (the usual case) `QueueModel.estimate_line` does it in O(line).
    """
    if not line:
        return {}
    now = rt.clock.now()
    waited = [max(0.0, now - view.enqueued_at) for view in line]
    queue_model = model(rt, queue_id)
    loads: dict[tuple[Any, ...], tuple[float, tuple[float, ...], Staffing | None]] = {}
    for view in line:
        key = _need_key(view)
        if key not in loads:
            loads[key] = _load(rt, view, now)
    out: dict[str, tuple[Estimate, int]] = {}
    if len(loads) == 1:
        servers, elapsed, staffing = next(iter(loads.values()))
        values = queue_model.estimate_line(servers, elapsed, staffing, waited)
        for k, (view, value) in enumerate(zip(line, values, strict=True)):
            out[view.request_id] = (_offered(value) if _is_offered(view) else value, k + 1)
        return out
    for k, view in enumerate(line):
        servers, elapsed, staffing = loads[_need_key(view)]
        ahead_waited = waited[:k] if k <= AHEAD_WAITED_MAX else None
        value = queue_model.estimate(k, servers, elapsed, staffing, ahead_waited)
        out[view.request_id] = (_offered(value) if _is_offered(view) else value, k + 1)
    return out


def _lines(rt: Runtime) -> dict[str, list[RequestView]]:
    """Every queue's waiting and offered requests, head first, from one look at the engine."""
    placed: dict[str, list[tuple[int, RequestView]]] = {}
    for request_id in rt.engine.in_line():
        view = rt.engine.request(request_id)
        place = (rt.engine.position(request_id) or 0, view)
        placed.setdefault(view.queue_id, []).append(place)
    return {
        queue_id: [view for _, view in sorted(line, key=lambda item: item[0])]
        for queue_id, line in placed.items()
    }


def _need_key(view: RequestView) -> tuple[Any, ...]:
    return (view.requirements, view.channel, view.stage, view.preferred_specialist)


def _is_offered(view: RequestView) -> bool:
    return view.state is RequestState.OFFERED


def _offered(value: Estimate) -> Estimate:
    # A specialist is looking at it now: the wait is theirs to end, not the line's.
    return Estimate(0.0, 0.0, min(value.high, OFFER_QUOTE), value.promise, value.ahead)


def _load(
    rt: Runtime, view: RequestView, now: float
) -> tuple[float, tuple[float, ...], Staffing | None]:
    """Eligible capacity now, the chats' elapsed times, and the staffing plan ahead."""
    load = rt.engine.eligible_load(view.request_id)
    servers = float(max(load.slots, len(load.busy_elapsed)))
    per_specialist = load.slots / load.servers if load.servers else 1.0
    return servers, load.busy_elapsed, _staffing(rt, view, servers, per_specialist, now)


def _staffing(
    rt: Runtime, view: RequestView, servers: float, per_specialist: float, now: float
) -> Staffing | None:
    """Planned changes ahead, applied to the live count: who the shifts add or take away."""
    queue = rt.queue_rows.get(view.queue_id)
    if queue is None:
        return None
    level = dict(view.requirements.skills).get(queue.skill, 1) if view.stage == 0 else 1
    plan = rt.staffing.profile(queue.skill, now, now + STAFFING_HORIZON, level)
    if len(plan) < 2:
        return None
    planned_now = plan[0][1]
    return [
        (at - now, max(0.0, servers + (count - planned_now) * per_specialist))
        for at, count in plan[1:]
    ]


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
    return _tell(rt, request_id, result[0], result[1], force=force)


def refresh_all(rt: Runtime) -> None:
    """Every waiting customer, one pass per queue; only meaningful changes are sent."""
    for queue_id, line in sorted(_lines(rt).items()):
        for request_id, (value, position) in line_estimates(rt, queue_id, line).items():
            _tell(rt, request_id, value, wire(value, position))


def _tell(
    rt: Runtime, request_id: str, value: Estimate, shown: dict[str, Any], *, force: bool = False
) -> dict[str, Any]:
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
            refresh_all(rt)
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
