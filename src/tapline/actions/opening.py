"""A closed queue opens: the requests made while it was closed join its line, in tap order.

A request made outside hours stays `new` and keeps its place by its tap time. Its customer may
book a slot instead (it becomes `scheduled`) or cancel. At opening, the rest join the line: a
customer with the app open waits as usual; one who is away is called back when it is their
turn (an in-queue callback with a promise window), so no request waits in silence.
"""

from __future__ import annotations

from sqlalchemy import select

from tapline.actions import Transaction, tell
from tapline.actions import callbacks as callback_actions
from tapline.actions.effects import apply_callbacks, join_queue
from tapline.engine import EngineError
from tapline.engine.callback_states import CallbackError
from tapline.lib import configuration
from tapline.store.models import Queue, Request

CHECK_EVERY = 5.0  # seconds between looks for queues that have opened
JOINED = "We're open now: you're in the line. We'll ring you here when it's your turn."


async def join_opened(tx: Transaction) -> int:
    """Requests waiting for their queue to open join its line now it is open. How many did."""
    rt = tx.rt
    now = rt.clock.now()
    if now < rt.opening_check_at:
        return 0
    rt.opening_check_at = now + CHECK_EVERY
    rows = list(
        await tx.session.scalars(
            select(Request)
            .where(Request.state == "new")
            .order_by(Request.enqueued_at, Request.created_at, Request.id)
        )
    )
    joined = 0
    open_queues: dict[str, bool] = {}
    for row in rows:
        if row.queue_id not in open_queues:
            queue = await tx.session.get(Queue, row.queue_id)
            open_queues[row.queue_id] = queue is not None and configuration.queue_open(queue, now)
        if open_queues[row.queue_id]:
            await _join(tx, row)
            joined += 1
    return joined


async def _join(tx: Transaction, row: Request) -> None:
    rt = tx.rt
    present = bool(rt.customer_sockets.get(row.id))
    await join_queue(tx, row, priority=0, callback=not present)
    if present:
        return
    try:
        effects = rt.callbacks.promise_in_queue(
            row.id,
            row.queue_id,
            rt.clock.now(),
            window=callback_actions.in_queue_window(rt, row.id),
        )
    except (EngineError, CallbackError):
        return  # it already has a callback: that one rings
    await apply_callbacks(tx, effects)
    await tell.system_message(tx, row, JOINED)
