"""Honest waits on the server: learn each queue's laws from history, estimate, push changes.

The estimator itself is pure (`engine/estimates.py`); this module feeds it what happened and
asks it for every waiting request. See docs/subsystems/estimates.md.
"""

from __future__ import annotations

import asyncio
import logging
import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, overload

from sqlalchemy import select

from tapline.engine import EngineError, RequestState
from tapline.engine.estimates import (
    MIN_HANDLE_HISTORY,
    MIN_PATIENCE_HISTORY,
    Estimate,
    QueueModel,
    Staffing,
)
from tapline.engine.request import RequestView
from tapline.lib.configuration import business_hours
from tapline.lib.runtime import Runtime
from tapline.store.models import Request
from tapline.store.streams import customer_stream, now_ms

log = logging.getLogger("tapline.waits")
HISTORY = 2000  # finished requests per queue read back at start
PUSH_INTERVAL = 1.0
MEANINGFUL = 0.15  # a relative change of the mean or an end of the range worth telling
AHEAD_WAITED_MAX = 200  # mixed needs: past this many ahead, their waits are not weighed
STAFFING_HORIZON = 12 * 3600.0
OFFER_QUOTE = 60.0  # the longest an offer is shown as taking
RECHECK = 15.0
"""Seconds a line goes at most without a full look: what time alone moves (chats' elapsed
times, the waits of those ahead, shifts drawing near, the range's calibration)."""
RECHECK_PER_REQUEST = 0.002
"""...and a long line longer (10,000: 20 s), so the full looks cost ~1% of a core at most."""
PARTIAL_MAX = 64
"""A change this close to the tail re-estimates only the requests behind it."""
MODEL_DRIFT = 0.03
"""μ or θ moving this much (relative) re-estimates the whole line."""


@dataclass(slots=True)
class Shown:
    """What a customer was last told (the first estimate is `rt.queues`': the calibration)."""

    last: dict[str, Any]


Load = tuple[float, tuple[float, ...], float, list[tuple[float, float]] | None]
"""Eligible servers now, the chats' elapsed times, slots per specialist, the staffing plan
ahead (absolute times; None: no plan)."""


@dataclass(slots=True, eq=False)
class _Line:
    """One queue's line as last estimated, brought up to date in O(changes) (`_sync`)."""

    version: int = -1
    """The engine's `line_version` these values reflect."""
    key: tuple[Any, ...] | None = None
    """What every estimate of the line depends on besides positions and time (`_key`)."""
    full_at: float = -math.inf
    ids: list[str] = field(default_factory=list)
    """Request ids, head first."""
    values: dict[str, tuple[Estimate, int, bool]] = field(default_factory=dict)
    """Request id -> its estimate (before an offer's), 1-based position, and whether offered."""
    needs: dict[tuple[Any, ...], str] = field(default_factory=dict)
    """Each kind of need in line -> one request with it (to read the need's load)."""
    loads: dict[tuple[Any, ...], Load] = field(default_factory=dict)
    changed: dict[str, None] = field(default_factory=dict)
    """Estimated anew since the last push: the only ones the push looks at."""


@dataclass(slots=True, eq=False)
class _Lines:
    """Per runtime: every queue's `_Line`, the queues' shared options, and counts."""

    engine: object
    queues: dict[str, _Line] = field(default_factory=dict)
    options: dict[str, tuple[tuple[Any, ...], dict[str, Any], dict[tuple[bool, ...], Any]]] = field(
        default_factory=dict
    )
    estimated: int = 0
    """Requests estimated so far (a count for tests and benchmarks, never timing)."""
    full: int = 0
    """Full passes over a line so far."""


_BOOKS: dict[int, _Lines] = {}


def _lines_of(rt: Runtime) -> _Lines:
    """This runtime's lines; fresh after a rebuild (a new engine)."""
    book = _BOOKS.get(id(rt))
    if book is None:
        weakref.finalize(rt, _BOOKS.pop, id(rt), None)
    elif book.engine is rt.engine:
        return book
    book = _BOOKS[id(rt)] = _Lines(rt.engine)
    return book


def counts(rt: Runtime) -> dict[str, int]:
    """How many requests were estimated and lines looked at in full, so far."""
    book = _lines_of(rt)
    return {"estimated": book.estimated, "full": book.full}


def model(rt: Runtime, queue_id: str) -> QueueModel:
    return rt.queues.model(queue_id)


def estimate(rt: Runtime, request_id: str) -> tuple[Estimate, dict[str, Any]] | None:
    """The estimate for one waiting request now, and its wire form (docs/protocol.md).

    The same value as the line's: its queue's line is brought up to date (O(changes)) and
    the request's value read from it.
    """
    try:
        view = rt.engine.request(request_id)
    except EngineError:
        return None
    if view.state not in (RequestState.WAITING, RequestState.OFFERED):
        return None
    found = _sync(rt, _lines_of(rt), view.queue_id).values.get(request_id)
    if found is None:
        return None
    value = _shown_value(found)
    return value, wire(value, found[1])


def _shown_value(found: tuple[Estimate, int, bool]) -> Estimate:
    return _offered(found[0]) if found[2] else found[0]


def line_estimates(
    rt: Runtime, queue_id: str, line: list[RequestView]
) -> dict[str, tuple[Estimate, int]]:
    """Every request in a queue's `line` (head first): its estimate and 1-based position.

    One pass over the line: the eligible load is read once per kind of need, and when the
    whole line shares one need (the usual case) `QueueModel.estimate_line` does it in O(line).
    """
    now = rt.clock.now()
    loads: dict[tuple[Any, ...], Load] = {}
    for view in line:
        key = _need_key(view)
        if key not in loads:
            loads[key] = _load(rt, view, now)
    raw = _estimate_line(rt, queue_id, line, loads, now)
    return {
        view.request_id: (_shown_value((value, k + 1, _is_offered(view))), k + 1)
        for k, (view, value) in enumerate(zip(line, raw, strict=True))
    }


def _estimate_line(
    rt: Runtime,
    queue_id: str,
    line: list[RequestView],
    loads: dict[tuple[Any, ...], Load],
    now: float,
) -> list[Estimate]:
    """The line's estimates, head first, before an offer's (each no shorter than the one
    ahead's when the line shares one need: `QueueModel.estimate_line`)."""
    if not line:
        return []
    waited = [max(0.0, now - view.enqueued_at) for view in line]
    queue_model = model(rt, queue_id)
    if len(loads) == 1:
        servers, elapsed, _, plan = next(iter(loads.values()))
        return queue_model.estimate_line(servers, elapsed, _relative(plan, now), waited)
    out = []
    for k, view in enumerate(line):
        servers, elapsed, _, plan = loads[_need_key(view)]
        ahead_waited = waited[:k] if k <= AHEAD_WAITED_MAX else None
        out.append(queue_model.estimate(k, servers, elapsed, _relative(plan, now), ahead_waited))
    return out


# -- Keeping each line up to date in O(changes) --------------------------------------------


def _sync(rt: Runtime, book: _Lines, queue_id: str) -> _Line:
    """The queue's line, estimated as of now.

    - The line changed only near its tail (a request joined, or one of the last left):
      only the requests from the first change on are estimated again.
    - What every estimate depends on moved (the specialists who can take them, their chats,
      the staffing plan, μ or θ by MODEL_DRIFT, the queue's options), the line changed near
      its head (everyone behind moves), or it is RECHECK since the last full look: the
      whole line, in one `estimate_line` pass.
    - Otherwise nothing is estimated: the check reads one load per kind of need.
    """
    line = book.queues.get(queue_id)
    if line is None:
        line = book.queues[queue_id] = _Line()
    engine = rt.engine
    version = engine.line_version(queue_id)
    now = rt.clock.now()
    n = engine.waiting(queue_id)
    key = _key(rt, book, queue_id, line, now)
    due = now - line.full_at >= max(RECHECK, n * RECHECK_PER_REQUEST)
    if key is None or key != line.key or due:
        _full(rt, book, queue_id, line, now)
        return line
    lo = engine.line_changed_from(queue_id, line.version)
    if lo is None:
        return line
    if n - lo > PARTIAL_MAX or not _partial(rt, book, queue_id, line, lo, now):
        _full(rt, book, queue_id, line, now)
        return line
    line.version = version
    return line


def _key(
    rt: Runtime, book: _Lines, queue_id: str, line: _Line, now: float
) -> tuple[Any, ...] | None:
    """What the line's estimates depend on besides positions and time; reads each kind of
    need's load into `line.loads`. None when a need's sample request has gone."""
    loads: dict[tuple[Any, ...], Load] = {}
    parts: list[Any] = []
    for need, request_id in line.needs.items():
        try:
            view = rt.engine.request(request_id)
        except EngineError:
            return None
        if view.queue_id != queue_id or view.state not in _IN_LINE or _need_key(view) != need:
            return None
        load = loads[need] = _load(rt, view, now)
        servers, elapsed, per_specialist, plan = load
        parts.append((servers, len(elapsed), per_specialist, tuple(plan or ())))
    line.loads = loads
    queue_model = model(rt, queue_id)
    queue = rt.queue_rows.get(queue_id)
    # the options every customer shares (not the second they were worked out at)
    shared = _base_options(rt, book, queue)[0][1:] if queue is not None else None
    return (
        tuple(parts),
        _coarse(queue_model.mu),
        _coarse(queue_model.theta),
        queue_model.handle.count >= MIN_HANDLE_HISTORY,
        queue_model.patience.count >= MIN_PATIENCE_HISTORY,
        shared,
        getattr(queue, "callback_threshold", None),
    )


def _coarse(x: float) -> float:
    return round(math.log(x) / MODEL_DRIFT) if 0.0 < x < math.inf else x


def _full(rt: Runtime, book: _Lines, queue_id: str, line: _Line, now: float) -> None:
    engine = rt.engine
    line.version = engine.line_version(queue_id)
    views = [engine.request(request_id) for request_id, _ in engine.line(queue_id)]
    line.needs = {}
    loads: dict[tuple[Any, ...], Load] = {}
    for view in views:
        need = _need_key(view)
        if need not in loads:
            loads[need] = _load(rt, view, now)
            line.needs[need] = view.request_id
    raw = _estimate_line(rt, queue_id, views, loads, now)
    line.ids = [view.request_id for view in views]
    line.values = {
        view.request_id: (value, k + 1, _is_offered(view))
        for k, (view, value) in enumerate(zip(views, raw, strict=True))
    }
    line.changed = dict.fromkeys(line.ids)
    line.loads = loads
    line.full_at = now
    line.key = _key(rt, book, queue_id, line, now)
    book.estimated += len(views)
    book.full += 1


def _partial(rt: Runtime, book: _Lines, queue_id: str, line: _Line, lo: int, now: float) -> bool:
    """Estimate again the requests from index `lo` on (the ones ahead are as they were).
    False when it cannot (a new kind of need): then the whole line is."""
    engine = rt.engine
    tail = engine.line(queue_id, lo)
    views = [engine.request(request_id) for request_id, _ in tail]
    if any(_need_key(view) not in line.loads for view in views):
        return False
    queue_model = model(rt, queue_id)
    kept = set(line.ids[:lo]) if lo < len(line.ids) else None
    for gone in line.ids[lo:]:
        if kept is None or gone not in kept:
            line.values.pop(gone, None)
            line.changed.pop(gone, None)
    del line.ids[lo:]
    ahead = line.values[line.ids[-1]][0] if line.ids else None
    for k, view in enumerate(views, start=lo):
        servers, elapsed, _, plan = line.loads[_need_key(view)]
        waited = (
            _Waited(rt, queue_id, k, now) if k <= AHEAD_WAITED_MAX or len(line.loads) == 1 else None
        )
        value = queue_model.estimate(k, servers, elapsed, _relative(plan, now), waited)
        if ahead is not None and len(line.loads) == 1:
            value = _no_shorter(value, ahead)
        line.ids.append(view.request_id)
        line.values[view.request_id] = (value, k + 1, _is_offered(view))
        line.changed[view.request_id] = None
        ahead = value
    book.estimated += len(views)
    return True


def _no_shorter(value: Estimate, ahead: Estimate) -> Estimate:
    """As `estimate_line`: never a shorter wait (or range end) than the request ahead's."""
    if value.mean < ahead.mean or value.low < ahead.low or value.high < ahead.high:
        return Estimate(
            max(value.mean, ahead.mean),
            max(value.low, ahead.low),
            max(value.high, ahead.high),
            max(value.promise, ahead.promise),
            value.ahead,
        )
    return value


class _Waited(Sequence[float]):
    """How long each of the first `count` requests of a line has waited, read on demand: the
    estimator looks at a sample of at most `AHEAD_SAMPLE` of them."""

    __slots__ = ("_count", "_now", "_queue_id", "_rt")

    def __init__(self, rt: Runtime, queue_id: str, count: int, now: float) -> None:
        self._rt, self._queue_id, self._count, self._now = rt, queue_id, count, now

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> float: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[float]: ...
    def __getitem__(self, index: int | slice) -> float | Sequence[float]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        index %= self._count
        ((_, enqueued_at),) = self._rt.engine.line(self._queue_id, index, index + 1)
        return max(0.0, self._now - enqueued_at)


_IN_LINE = (RequestState.WAITING, RequestState.OFFERED)


def _need_key(view: RequestView) -> tuple[Any, ...]:
    return (view.requirements, view.channel, view.stage, view.preferred_specialist)


def _is_offered(view: RequestView) -> bool:
    return view.state is RequestState.OFFERED


def _offered(value: Estimate) -> Estimate:
    # A specialist is looking at it now: the wait is theirs to end, not the line's.
    return Estimate(0.0, 0.0, min(value.high, OFFER_QUOTE), value.promise, value.ahead)


def _load(rt: Runtime, view: RequestView, now: float) -> Load:
    """Eligible capacity now, the chats' elapsed times, and the staffing plan ahead."""
    load = rt.engine.eligible_load(view.request_id)
    servers = float(max(load.slots, len(load.busy_elapsed)))
    per_specialist = load.slots / load.servers if load.servers else 1.0
    return servers, load.busy_elapsed, per_specialist, _plan(rt, view, servers, per_specialist, now)


def _plan(
    rt: Runtime, view: RequestView, servers: float, per_specialist: float, now: float
) -> list[tuple[float, float]] | None:
    """Planned changes ahead, applied to the live count (absolute times): who the shifts add
    or take away."""
    queue = rt.queue_rows.get(view.queue_id)
    if queue is None:
        return None
    level = dict(view.requirements.skills).get(queue.skill, 1) if view.stage == 0 else 1
    plan = rt.staffing.profile(queue.skill, now, now + STAFFING_HORIZON, level)
    if len(plan) < 2:
        return None
    planned_now = plan[0][1]
    return [
        (at, max(0.0, servers + (count - planned_now) * per_specialist)) for at, count in plan[1:]
    ]


def _relative(plan: list[tuple[float, float]] | None, now: float) -> Staffing | None:
    return [(at - now, count) for at, count in plan] if plan else None


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
    queue = rt.queue_rows.get(rt.engine.request(request_id).queue_id)
    return _tell(rt, request_id, result[0], result[1], queue, force=force)


def refresh_all(rt: Runtime) -> None:
    """Every waiting customer whose estimate may have changed; only meaningful changes are
    sent. O(changes): see `_sync`."""
    book = _lines_of(rt)
    for queue_id, waiting in sorted(rt.engine.queues().items()):
        line = book.queues.get(queue_id)
        if not waiting and (line is None or not line.values):
            continue
        line = _sync(rt, book, queue_id)
        if not line.changed:
            continue
        queue = rt.queue_rows.get(queue_id)
        changed, line.changed = line.changed, {}
        for request_id in changed:
            found = line.values.get(request_id)
            if found is not None:
                value = _shown_value(found)
                _tell(rt, request_id, value, wire(value, found[1]), queue)


def _tell(
    rt: Runtime,
    request_id: str,
    value: Estimate,
    shown: dict[str, Any],
    queue: Any,
    *,
    force: bool = False,
) -> dict[str, Any]:
    if queue is not None:
        shown["options"] = _options(rt, queue, value.high, in_line=True)
    seen: Shown | None = rt.shown.get(request_id)
    if seen is None:
        rt.shown[request_id] = Shown(shown)
        rt.queues.estimated(request_id, value)
    elif not force and not _meaningful(seen.last, shown):
        return seen.last
    else:
        seen.last = shown
    rt.bus.publish(
        customer_stream(request_id), {"type": "estimate", "request_id": request_id, **shown}
    )
    return shown


def learn_served(rt: Runtime, row: Request, now: float) -> None:
    """A specialist took the request: its wait ended served (patient if it held a callback:
    it could not have given up)."""
    rt.shown.pop(row.id, None)
    rt.queues.served(row.id, row.queue_id, now - row.enqueued_at, patient=_has_callback(rt, row))


def _has_callback(rt: Runtime, row: Request) -> bool:
    try:
        return rt.engine.request(row.id).callback
    except EngineError:
        return False


def learn_abandoned(rt: Runtime, row: Request, now: float) -> None:
    rt.shown.pop(row.id, None)
    rt.queues.abandoned(row.id, row.queue_id, now - row.enqueued_at)


def learn_handled(rt: Runtime, row: Request, handle_seconds: float) -> None:
    rt.queues.handled(row.queue_id, handle_seconds)


def forget(rt: Runtime, request_id: str) -> None:
    rt.shown.pop(request_id, None)
    rt.queues.forget(request_id)


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
    return dict(_options(rt, queue, high, in_line=row.state in ("waiting", "offered")))


def _options(rt: Runtime, queue: Any, high: float, *, in_line: bool) -> dict[str, Any]:
    """The options for a wait whose range ends at `high`. Shared: one dict per queue and
    answer (do not change it), worked out once per second and change of the slot book."""
    _, base, made = _base_options(rt, _lines_of(rt), queue)
    long_wait = high >= queue.callback_threshold
    # In line with no honest figure: no one who could take it is free, none is planned.
    no_one = in_line and math.isinf(high)
    found = made.get((long_wait, in_line, no_one))
    if found is None:
        open_ = base["open"]
        found = made[(long_wait, in_line, no_one)] = {
            "open": open_,
            "wait": open_ and in_line,
            "callback": open_ and in_line and long_wait,
            "schedule": base["schedule"],
            "next_open": base["next_open"],
            "reason": _reason(open_, long_wait, no_one),
        }
    return found


def _reason(open_: bool, long_wait: bool, no_one: bool) -> str | None:
    """Why the widget offers more than waiting; with no one free it must not say "Chat now"."""
    if not open_:
        return "closed"
    if no_one:
        return "no_one"
    return "long_wait" if long_wait else None


def _base_options(
    rt: Runtime, book: _Lines, queue: Any
) -> tuple[tuple[Any, ...], dict[str, Any], dict[tuple[bool, ...], Any]]:
    """What the options of every customer of a queue share: (its key, the values, the
    options made from it). Looking for a free slot scans days of slots, so it is done once
    per queue per second (and again when the queue's slot book changes), not per customer."""
    now = rt.clock.now()
    slot_book = rt.slot_books.get(queue.id)
    stamp = (
        math.floor(now),
        id(slot_book),
        slot_book.version if slot_book is not None else None,
        id(slot_book.hours) if slot_book is not None else None,
    )
    cached = book.options.get(queue.id)
    if cached is not None and cached[0][0] == stamp:
        return cached
    hours = slot_book.hours if slot_book is not None else business_hours(queue)
    open_ = hours.is_open(now)
    next_open = None if open_ else hours.next_open(now)
    base = {
        "open": open_,
        "schedule": bool(slot_book is not None and slot_book.slots(now, limit=1)),
        "next_open": int(next_open * 1000) if next_open is not None else None,
    }
    key = (stamp, open_, base["schedule"], base["next_open"])
    # the same answers as before: keep sharing the same dicts
    made = cached[2] if cached is not None and cached[0][1:] == key[1:] else {}
    found = book.options[queue.id] = (key, base, made)
    return found
