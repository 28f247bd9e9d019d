"""The customer's presence as their specialist sees it: here, away, or gone since when.

here: a socket open and its page shown; away: sockets open, every page hidden (the SDK
reports visibility; an SDK that does not is taken as shown); gone: no socket on any node.
The owner of the engine decides it from its own sockets and the other nodes' reports
(`attendance`), and tells the specialist holding the request a `customer.presence` event
when it changes. Gone is only what the desk sees: the customer's grace (the engine's) still
decides when the request is abandoned.
"""

from __future__ import annotations

from typing import Any

from tapline.engine import EngineError, RequestState
from tapline.errors import Unavailable
from tapline.lib import views
from tapline.lib.runtime import Runtime
from tapline.store.models import utcnow
from tapline.store.streams import specialist_stream
from tapline.store.writer import Batch

SHOWN_MAX = 50_000
"""Customers whose presence a node remembers; past that the longest unchanged are dropped
(their desk shows "since" unknown)."""


def visible_here(rt: Runtime, request_id: str) -> bool:
    book = rt.attendance
    if book.visible.get(request_id, 0) > 0:
        return True
    return any(request_id in report.visible for report in book.live())


def state(rt: Runtime, request_id: str, sockets: bool) -> str:
    if not sockets:
        return "gone"
    return "here" if visible_here(rt, request_id) else "away"


def of(rt: Runtime, request_id: str) -> dict[str, Any]:
    """The presence as last told (or as it is now, if never told), for a snapshot."""
    shown = rt.attendance.shown.get(request_id)
    if shown is not None:
        return {"state": shown[0], "since": shown[1]}
    sockets = rt.customer_sockets.get(request_id, 0) > 0 or any(
        request_id in report.customers for report in rt.attendance.live()
    )
    return {"state": state(rt, request_id, sockets), "since": None}


async def changed(rt: Runtime, request_id: str, sockets: bool) -> None:
    """Tell the specialist holding the request if the customer's presence changed."""
    now = state(rt, request_id, sockets)
    book = rt.attendance.shown
    before = book.get(request_id)
    if before is not None and before[0] == now:
        return
    since = views.ms(utcnow())
    book.pop(request_id, None)
    book[request_id] = (now, since)  # the newest last: the oldest go first
    while len(book) > SHOWN_MAX:
        del book[next(iter(book))]
    if now == "gone" and before is None:
        return  # never here on this node's watch: nothing changed for the desk
    specialist_id = _holder(rt, request_id)
    if specialist_id is None:
        return

    async def step(batch: Batch) -> None:
        stream = specialist_stream(specialist_id)
        await batch.outbox.load([stream])
        payload = {"request_id": request_id, "presence": {"state": now, "since": since}}
        batch.outbox.put(stream, "customer.presence", payload)

    try:
        await rt.writer.step(step)
    except Unavailable:
        return  # the desk's next snapshot says it


def forget(rt: Runtime, request_id: str) -> None:
    rt.attendance.shown.pop(request_id, None)


def _holder(rt: Runtime, request_id: str) -> str | None:
    try:
        view = rt.engine.request(request_id)
    except EngineError:
        return None
    return view.specialist_id if view.state is RequestState.CONNECTED else None
