"""Rebuild the engine from the database (the truth) and keep its clock ticking."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select, update

from tapline.actions import (
    Transaction,
    attendance,
    callbacks,
    desk,
    exclusive,
    opening,
    transaction,
)
from tapline.actions.effects import apply, apply_callbacks, callback_connected
from tapline.actions.tell import live_callback
from tapline.engine import RequestState
from tapline.engine.callback_states import Callback as CallbackView
from tapline.engine.callback_states import CallbackKind, CallbackState, PromiseOutcome
from tapline.engine.requirements import Requirements
from tapline.engine.slots import Booking
from tapline.errors import Unavailable
from tapline.lib import configuration, waits
from tapline.lib.runtime import Runtime
from tapline.store.models import Callback, Offer, Queue, Request, RoutingRules, Specialist

log = logging.getLogger("tapline.engine")

LIVE = [str(RequestState.WAITING), str(RequestState.OFFERED), str(RequestState.CONNECTED)]
OPEN_CALLBACKS = ("promised", "ringing", "retrying")


async def restore(rt: Runtime) -> set[str]:
    """Configuration, staffing, callbacks and unfinished requests, from the database.

    Specialists are offline until their desk connects. Returns the specialists who hold
    connected requests: they get the grace time to return.
    """
    async with exclusive(rt) as tx:
        holding = await _restore(tx)
    await waits.warm(rt)
    return holding


async def rebuild(rt: Runtime) -> None:
    """Rebuild the engine from the database: after a write that did not commit, or when
    this node takes the engine over from another.

    What the engine held beyond the database is dropped; then it is told who is here now
    (customers present, desks at the presence their specialist chose, on every node), and
    specialists holding chats with no desk open get the grace time from now.
    """
    rt.reset_derived()
    async with exclusive(rt) as tx:
        holding = await _restore(tx)
    rt.writer.down = None  # the engine is the database's again: writes may go on
    await attendance.tell_all(rt)
    now = rt.clock.now()
    for specialist_id in holding - attendance.desks_here(rt):
        rt.drop_at.setdefault(specialist_id, now + rt.settings.specialist_grace)
    await waits.warm(rt)
    rt.wake()


async def _restore(tx: Transaction) -> set[str]:
    rt = tx.rt
    rt.staffing = await configuration.load_staffing(tx.session)
    for queue in await tx.session.scalars(select(Queue).order_by(Queue.created_at)):
        configuration.apply_queue(rt, queue)
    active = select(Specialist).where(Specialist.deactivated_at.is_(None))
    for specialist in await tx.session.scalars(active):
        configuration.apply_specialist(rt, specialist)
    rules = await tx.session.scalar(select(RoutingRules).order_by(RoutingRules.id.desc()))
    if rules is not None:
        errors, rt.rules = configuration.parse_rules(rules.toml, rt.queue_ids)
        if errors:
            log.error("the saved routing rules no longer load: %s", errors)
    await _restore_callbacks(tx)
    holding = await _restore_requests(tx)
    await callbacks.rebook_displaced(tx)  # the plan changed while it was down?
    # Offers made before the restart are void; routing makes new ones.
    await tx.session.execute(update(Offer).where(Offer.outcome.is_(None)).values(outcome="restart"))
    await apply(tx, rt.engine.route())
    rt.queue_counts.update(rt.engine.queues())
    # A callback that rang before the restart comes back promised: ring it again, now
    # (nothing else would until its give-up time, an hour on).
    connected = await tx.session.scalars(
        select(Request).where(Request.state == str(RequestState.CONNECTED))
    )
    for row in connected:
        await callback_connected(tx, row)
    return holding


async def _restore_requests(tx: Transaction) -> set[str]:
    rt = tx.rt
    holding: set[str] = set()
    rows = await tx.session.scalars(
        select(Request).where(Request.state.in_(LIVE)).order_by(Request.enqueued_at)
    )
    for row in rows:
        state = RequestState(row.state)
        if state is RequestState.OFFERED:
            state = RequestState.WAITING  # an offer does not survive a restart
        callback = live_callback(rt, row.id) is not None
        rt.engine.restore_request(
            row.id,
            row.queue_id,
            state,
            enqueued_at=row.enqueued_at,
            specialist_id=row.specialist_id if state is RequestState.CONNECTED else None,
            requirements=Requirements.from_dict(row.requirements) if row.requirements else None,
            priority=row.priority,
            channel=row.channel,
            callback=callback,
            connected_at=row.served_at if state is RequestState.CONNECTED else None,
        )
        if state is RequestState.CONNECTED and row.specialist_id:
            holding.add(row.specialist_id)
        if row.state != str(state):
            row.state = str(state)
        if not callback:
            # Every customer starts away after a restart; their socket coming back stops it.
            await apply(tx, rt.engine.customer_left(row.id))
    return holding


async def _restore_callbacks(tx: Transaction) -> None:
    """Open callbacks come back promised (a ring under way rings again when it can)."""
    rt = tx.rt
    rows = await tx.session.scalars(
        select(Callback).where(Callback.state.in_(OPEN_CALLBACKS)).order_by(Callback.created_at)
    )
    for row in rows:
        kind = CallbackKind(row.kind)
        outcome = (
            None
            if row.kept is None
            else (PromiseOutcome.KEPT if row.kept else PromiseOutcome.BROKEN)
        )
        rt.callbacks.restore(
            CallbackView(
                request_id=row.request_id,
                queue_id=row.queue_id,
                kind=kind,
                state=CallbackState.PROMISED,
                window_start=row.window_start,
                window_end=row.window_end,
                promised_at=row.window_start,
                policy=rt.callbacks_policy,
                attempt=row.attempts,
                first_rung_at=row.first_ring_at,
                promise=outcome,
            )
        )
        book = rt.slot_books.get(row.queue_id)
        if kind is CallbackKind.SCHEDULED and book is not None and row.slot_start is not None:
            book.restore(
                Booking(row.request_id, row.slot_start, row.window_end, booked_at=row.window_start)
            )
    for book in rt.slot_books.values():
        book.recheck(rt.clock.now())


async def add_specialist_to_engine(rt: Runtime, specialist: Specialist) -> None:
    async with transaction(rt) as tx:
        await apply(
            tx,
            rt.engine.set_specialist(
                specialist.id, skills=dict(specialist.skills), capacity=specialist.capacity
            ),
        )


async def tick_forever(rt: Runtime) -> None:
    """Drive the engine's deadlines (offer timeouts, grace periods) with real time."""
    while True:
        await rt.wait_for_deadline()
        try:
            async with transaction(rt) as tx:
                await apply(tx, rt.engine.tick())
                await apply_callbacks(tx, rt.callbacks.tick(rt.clock.now()))
                await callbacks.reserve_due(tx)
                await opening.join_opened(tx)
                await desk.drop_due(tx)
        except asyncio.CancelledError:
            raise
        except Unavailable:
            # Nothing is decided while the database is away; the rebuild wakes us.
            await asyncio.sleep(1)
        except Exception:
            log.exception("engine tick failed; retrying")
            await asyncio.sleep(1)
