"""Where a customer's context came from: one record per tab (or device), with its history.

The SDK tags each context with `source: {tab, device, ua}` (docs/sdk.md, "Context"): a tab
id kept per tab, a device id kept per browser, and a coarse user-agent class. The ids are
labels inside one request and nothing else: they never look anything up. A context without
a tag is the one anonymous source (`""`), as older SDKs send it.

A step's rank is its place in the order the app declares (`steps`, docs/sdk.md): a page
that went back to search, or a new tab that opened on it, never outranks the payment step
the customer reached. Without a declared order it is the order in which the request first
saw the step, across all its sources (a funnel's later steps are seen later), which a tab
that opens on an earlier step the request never saw does outrank. Each source keeps its
furthest step's context (`peak`) beside its current one, so what the customer had reached
stays on the desk. Everything here is pure: `actions.thread` reads and writes the rows.
"""

from __future__ import annotations

import re
from typing import Any

SOURCES_MAX = 8
"""Sources kept per request; past that the least recently heard one that is not the
furthest is forgotten."""
HISTORY_MAX = 20
"""Step changes kept per source (the oldest go first)."""
SEEN_MAX = 50
"""Distinct steps whose first sighting a source keeps (the oldest go first)."""
STEP_CHARS = 200
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
UA_CLASSES = frozenset({"phone", "tablet", "desktop", "unknown"})
ANONYMOUS = ""

Tag = dict[str, str | None]


def split(context: dict[str, Any]) -> tuple[dict[str, Any], Tag]:
    """The context without its `source` tag, and the tag checked (anonymous without one).

    Raises ValueError with what is wrong: the frame is refused, the socket stays open.
    """
    raw = context.pop("source", None)
    if raw is None:
        return context, {"key": ANONYMOUS, "tab": None, "device": None, "ua": "unknown"}
    if not isinstance(raw, dict):
        raise ValueError("context.source must be an object: {tab, device, ua}.")
    tab, device = raw.get("tab"), raw.get("device")
    for name, value in (("tab", tab), ("device", device)):
        if value is not None and not (isinstance(value, str) and ID_PATTERN.match(value)):
            raise ValueError(f"context.source.{name} must be 1-64 letters, digits, _ or -.")
    ua = raw.get("ua", "unknown")
    if ua not in UA_CLASSES:
        raise ValueError("context.source.ua must be phone, tablet, desktop or unknown.")
    key = f"{device or ''}/{tab or ''}" if (tab or device) else ANONYMOUS
    return context, {"key": key, "tab": tab, "device": device, "ua": str(ua)}


def step_of(context: dict[str, Any]) -> str | None:
    step = context.get("step")
    return step[:STEP_CHARS] if isinstance(step, str) and step else None


def declared(context: dict[str, Any]) -> list[str] | None:
    """The app's order of its steps, if the context says it (at most `SEEN_MAX`)."""
    steps = context.get("steps")
    if not isinstance(steps, list):
        return None
    return [step[:STEP_CHARS] for step in steps if isinstance(step, str) and step][:SEEN_MAX]


def order_of(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Each step's rank: the latest declared order, else the order first seen."""
    told = [row for row in rows if row.get("steps")]
    if told:
        steps = max(told, key=lambda row: row["updated_at"])["steps"]
        return {step: index for index, step in enumerate(dict.fromkeys(steps))}
    return ranks(first_seen(rows))


def first_seen(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Each step's first sighting (ms) across the request's sources."""
    seen: dict[str, int] = {}
    for row in rows:
        for step, at in row["seen"]:
            if step not in seen or at < seen[step]:
                seen[step] = at
    return seen


def ranks(seen: dict[str, int]) -> dict[str, int]:
    """0 for the step seen first, and so on."""
    order = sorted(seen, key=lambda step: (seen[step], step))
    return {step: index for index, step in enumerate(order)}


def new_row(tag: Tag, now: int) -> dict[str, Any]:
    return {
        "source": tag["key"],
        "tab": tag["tab"],
        "device": tag["device"],
        "ua": tag["ua"],
        "step": None,
        "context": {},
        "peak_step": None,
        "peak_at": None,
        "history": [],
        "seen": [],
        "steps": None,
        "updated_at": now,
    }


def apply(
    rows: list[dict[str, Any]], row: dict[str, Any], context: dict[str, Any], now: int
) -> bool:
    """Record `context` on `row` (one of `rows`); whether its furthest step moved here (then
    `row["peak"]` is the context; else the row does not carry it)."""
    step = step_of(context)
    row["context"] = context
    row["updated_at"] = now
    if step is not None and step != row["step"]:
        row["history"] = [*row["history"], {"step": step, "at": now}][-HISTORY_MAX:]
    row["step"] = step
    row["steps"] = declared(context)
    if step is not None and all(step != seen for seen, _ in row["seen"]):
        row["seen"] = [*row["seen"], [step, now]][-SEEN_MAX:]
    if row["peak_at"] is not None:
        if step is None:
            return False  # no step: says nothing of how far the customer got
        order = order_of(rows)
        before = order.get(row["peak_step"], -1) if row["peak_step"] is not None else -1
        if order.get(step, -1) < before:
            return False  # back to an earlier step: the furthest stays as it was
    row["peak_step"], row["peak"], row["peak_at"] = step, context, now
    return True


def evict(rows: list[dict[str, Any]], keep: dict[str, Any]) -> dict[str, Any] | None:
    """The source to forget when there are more than `SOURCES_MAX`, if any: never `keep`
    (the one just heard) nor the furthest."""
    if len(rows) <= SOURCES_MAX:
        return None
    order = order_of(rows)
    furthest = max(rows, key=lambda row: _peak_key(order, row))
    candidates = [row for row in rows if row is not furthest and row is not keep]
    return min(candidates, key=lambda row: row["updated_at"])


def _peak_key(order: dict[str, int], row: dict[str, Any]) -> tuple[int, int]:
    rank = order.get(row["peak_step"], -1) if row["peak_step"] is not None else -1
    return rank, row["peak_at"] or 0


def wire(rows: list[dict[str, Any]], row: dict[str, Any]) -> dict[str, Any]:
    """A source as the desk sees it (`shapes.ContextSource`). `furthest.context` is there
    only if the row carries `peak` (a snapshot, or the update that moved it): an event
    whose furthest step did not move leaves the desk's copy as it was."""
    order = order_of(rows)
    return {
        "id": row["source"],
        "tab": row["tab"],
        "device": row["device"],
        "ua": row["ua"],
        "step": row["step"],
        "step_rank": order.get(row["step"]) if row["step"] is not None else None,
        "furthest": {
            "step": row["peak_step"],
            "rank": order.get(row["peak_step"]) if row["peak_step"] is not None else None,
            "at": row["peak_at"],
            "context": row.get("peak"),
        },
        "history": row["history"],
        "updated_at": row["updated_at"],
    }
