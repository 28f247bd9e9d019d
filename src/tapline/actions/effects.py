"""Turn what the engine decided into rows and events, inside the caller's transaction.

Two kinds of effects: the requests' (`engine/core.py`: states, offers, presence, queues) and
the callbacks' (`engine/callbacks.py`: promises, rings, retries). They are applied here
together because they lead to each other: a request that ends ends its callback, and a
callback that is missed or requeued changes its request. What both tell the clients is in
`tell.py`; the customer's callback actions, which use both, are in `callbacks.py`.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import select, update

from tapline.actions import Transaction, tell
from tapline.engine import (
    DeadEndCause,
    Effect,
    EngineError,
    OfferMade,
    OfferWithdrawn,
    PresenceChanged,
    QueueChanged,
    RequestState,
    StateChanged,
)
from tapline.engine.callback_effects import (
    CallbackChanged,
    CallbackDue,
    CallbackEffect,
    CallbackMissed,
    Promised,
    PromiseSettled,
    Requeue,
    Ring,
    StopRinging,
)
from tapline.engine.callback_states import FINAL_CALLBACK_STATES, CallbackError
from tapline.engine.effects import QueueFallback, Routable, Unroutable
from tapline.engine.requirements import Requirements
from tapline.engine.slots import UnknownBooking
from tapline.lib import push, views, waits
from tapline.lib.runtime import Runtime
from tapline.store.models import Callback, Offer, Queue, Request, Specialist, new_id, utcnow
from tapline.store.streams import customer_stream, specialist_stream

FINAL = {RequestState.RESOLVED, RequestState.CANCELLED, RequestState.DEAD_END}


async def apply(tx: Transaction, effects: list[Effect]) -> None:
    for effect in effects:
        if isinstance(effect, StateChanged):
            await _state_changed(tx, effect)
        elif isinstance(effect, OfferMade):
            await _offer_made(tx, effect)
        elif isinstance(effect, OfferWithdrawn):
            await _offer_withdrawn(tx, effect)
        elif isinstance(effect, PresenceChanged):
            await tx.outbox.add(
                specialist_stream(effect.specialist_id),
                "presence",
                {
                    "status": str(effect.presence),
                    "active": effect.active,
                    "capacity": effect.capacity,
                },
            )
        elif isinstance(effect, QueueChanged):
            tx.rt.queue_counts[effect.queue_id] = effect.waiting
            tx.rt.queues_dirty = True
        elif isinstance(effect, Unroutable | Routable | QueueFallback):
            await _reach(tx, effect)


ALERTS_CHANNEL = "desk:wallboard"  # supervisors watch it


async def _reach(tx: Transaction, effect: Unroutable | Routable | QueueFallback) -> None:
    """Nobody can ever take a request where it is: it never waits silently."""
    row = await tx.session.get(Request, effect.request_id)
    if row is None:
        return
    if isinstance(effect, QueueFallback):
        row.queue_id = effect.to_queue
        await tell.system_message(
            tx, row, "We're connecting you with a wider team who can help with this."
        )
        return
    if isinstance(effect, Routable):
        await tell.system_message(tx, row, "Someone who can help with this is available again.")
        return
    await tell.system_message(
        tx,
        row,
        "Nobody who can help with this is working right now. You keep your place; "
        "you can also ask us to call you back at a time that suits you.",
    )
    tx.rt.bus.publish(
        ALERTS_CHANNEL,
        {
            "type": "alert",
            "kind": "unroutable",
            "request_id": row.id,
            "queue_id": effect.queue_id,
            "reason": str(effect.reason),
            "detail": effect.detail,
        },
    )


async def _state_changed(tx: Transaction, effect: StateChanged) -> None:
    row = await tx.session.get(Request, effect.request_id)
    if row is None:
        return
    previous_specialist = row.specialist_id
    row.state = str(effect.new)
    row.cause = str(effect.cause) if effect.cause else None
    if effect.new is RequestState.OFFERED or (
        effect.old is RequestState.OFFERED and effect.new is RequestState.WAITING
    ):
        return  # the customer sees an offer as still waiting; offer events say the rest
    now = tx.rt.clock.now()
    if effect.new is RequestState.CONNECTED:
        row.specialist_id = effect.specialist_id
        row.connected_at = utcnow()
        if row.served_at is None:
            row.served_at = now
            waits.learn_served(tx.rt, row, now)
    elif effect.new is RequestState.RESOLVED and row.connected_at is not None:
        waits.learn_handled(tx.rt, row, _handled_for(tx.rt, row, now))
    elif effect.new is RequestState.DEAD_END and effect.cause is DeadEndCause.ABANDONED:
        waits.learn_abandoned(tx.rt, row, now)
    if effect.new in FINAL:
        waits.forget(tx.rt, row.id)
    elif effect.new is RequestState.WAITING:
        row.specialist_id = None
    if effect.new in FINAL:
        row.ended_at = utcnow()
        await callback_request_ended(tx, row)  # its callback ends with it
    await tell.customer_state(tx, row)
    if effect.new is RequestState.CONNECTED:
        await _connected(tx, row)
        return
    if previous_specialist:
        await tx.outbox.add(
            specialist_stream(previous_specialist),
            "request.state",
            tell.specialist_state_payload(row),
        )
    if (
        effect.new is RequestState.WAITING
        and effect.old is RequestState.CONNECTED
        and not _callback_requeued(tx.rt, row.id)
    ):
        await callback_specialist_left(tx, row)  # a ring for the one who left stops
        await tell.system_message(
            tx,
            row,
            "Your specialist was disconnected. We're finding someone else, "
            "who will see everything you shared.",
        )


def _handled_for(rt: Runtime, row: Request, now: float) -> float:
    """How long the chat took, by the engine's clock (the one waits are measured by)."""
    try:
        connected_at = rt.engine.request(row.id).connected_at
    except EngineError:
        connected_at = None
    if connected_at is None:
        assert row.connected_at is not None
        return (utcnow() - row.connected_at).total_seconds()
    return now - connected_at


async def _connected(tx: Transaction, row: Request) -> None:
    await tx.session.execute(
        update(Offer)
        .where(
            Offer.request_id == row.id,
            Offer.specialist_id == row.specialist_id,
            Offer.outcome.is_(None),
        )
        .values(outcome="accepted")
    )
    specialist = await tx.session.get(Specialist, row.specialist_id or "")
    if specialist is None:
        return
    await tx.outbox.add(
        specialist_stream(specialist.id),
        "request.assigned",
        {"request": await tell.request_detail(tx, row)},
    )
    await tell.system_message(tx, row, f"{specialist.name} ({specialist.role}) joined.")
    await callback_connected(tx, row)  # a callback rings once a specialist is there


async def _offer_made(tx: Transaction, effect: OfferMade) -> None:
    row = await tx.session.get(Request, effect.request_id)
    if row is None:
        return
    tx.session.add(
        Offer(request_id=row.id, specialist_id=effect.specialist_id, expires_at=effect.expires_at)
    )
    queue = await tx.session.get(Queue, row.queue_id)
    await tx.outbox.add(
        specialist_stream(effect.specialist_id),
        "offer",
        {
            "offer": views.offer(
                row,
                queue,
                effect.expires_at,
                tx.rt.settings.offer_timeout,
                tell.callback_wire(tx.rt, row.id),
            )
        },
    )


async def _offer_withdrawn(tx: Transaction, effect: OfferWithdrawn) -> None:
    await tx.session.execute(
        update(Offer)
        .where(
            Offer.request_id == effect.request_id,
            Offer.specialist_id == effect.specialist_id,
            Offer.outcome.is_(None),
        )
        .values(outcome=effect.reason)
    )
    await tx.outbox.add(
        specialist_stream(effect.specialist_id),
        "offer.withdrawn",
        {"request_id": effect.request_id, "reason": effect.reason},
    )


def _callback_requeued(rt: Runtime, request_id: str) -> bool:
    """An unanswered callback went back to the queue: its own message says so."""
    try:
        found = rt.callbacks.get(request_id)
    except CallbackError:
        return False
    # Only a requeue now: an old one must not hide a later real disconnect.
    return str(found.state) == "requeued" and found.ended_at == rt.clock.now()


# -- Callbacks ------------------------------------------------------------------------------
# The callback ledger's effects (`engine/callbacks.py`). They and the request effects above
# call each other: a missed callback ends its request, an ended request ends its callback.

SLOT_PRIORITY = 1000  # a booked callback goes ahead of walk-ins when its reservation is due


async def callback_connected(tx: Transaction, row: Request) -> None:
    """A specialist took a request holding a callback: ring now, if its time has come."""
    # reserved early, a booked one rings when its slot starts (CallbackDue)
    await apply_callbacks(tx, tx.rt.queues.callback_turn(row.id, tx.rt.clock.now()))


async def callback_specialist_left(tx: Transaction, row: Request) -> None:
    """The specialist a callback was ringing for left: stop ringing; the next one rings."""
    found = tell.live_callback(tx.rt, row.id)
    if found is not None and str(found.state) in ("ringing", "retrying"):
        await apply_callbacks(tx, tx.rt.callbacks.hold(row.id, tx.rt.clock.now()))


async def callback_request_ended(tx: Transaction, row: Request) -> None:
    """The request ended another way (cancelled, resolved, abandoned): so does its callback.

    Otherwise the callback would ring on, and its deadlines would later break its promise
    and end the finished request again as a missed callback.
    """
    rt = tx.rt
    book = rt.slot_books.get(row.queue_id)
    if book is not None:
        with contextlib.suppress(UnknownBooking):
            book.cancel(row.id)
    if tell.live_callback(rt, row.id) is not None:
        await apply_callbacks(tx, rt.callbacks.cancel(row.id, rt.clock.now()))


async def join_queue(
    tx: Transaction, row: Request, *, priority: int, callback: bool = True
) -> None:
    """A request set aside (a booked slot) joins its queue again: as a callback when its
    slot is near (its customer may be away), or as a plain wait."""
    rt = tx.rt
    try:
        rt.engine.request(row.id)
        return  # still in the engine: in line or with someone
    except EngineError:
        pass
    row.state = "waiting"
    row.enqueued_at = rt.clock.now()  # its wait starts now, as the engine's does
    await apply(tx, submit(rt, row, priority=row.priority + priority, callback=callback))
    if not callback and not rt.customer_sockets.get(row.id):
        await apply(tx, rt.engine.customer_left(row.id))


def submit(
    rt: Runtime,
    row: Request,
    *,
    priority: int,
    callback: bool = False,
    preferred: str | None = None,
) -> list[Any]:
    """Put a request in the engine with what its routing decided at the tap."""
    requirements = Requirements.from_dict(row.requirements) if row.requirements else None
    return rt.engine.submit(
        row.id,
        row.queue_id,
        requirements=requirements,
        priority=priority,
        channel=row.channel,
        preferred_specialist=preferred,
        callback=callback,
    )


async def apply_callbacks(tx: Transaction, effects: list[CallbackEffect]) -> None:
    for effect in effects:
        if isinstance(effect, Promised):
            await _promised(tx, effect)
        elif isinstance(effect, CallbackChanged):
            await _changed(tx, effect.request_id, effect)
        elif isinstance(effect, Ring):
            await _ring(tx, effect)
        elif isinstance(effect, StopRinging):
            await _publish(
                tx,
                effect.request_id,
                "callback.ring_ended",
                {"request_id": effect.request_id, "reason": effect.reason},
            )
        elif isinstance(effect, PromiseSettled):
            await _settled(tx, effect)
        elif isinstance(effect, CallbackMissed):
            await _missed(tx, effect)
        elif isinstance(effect, Requeue):
            await _requeue(tx, effect)
        elif isinstance(effect, CallbackDue):
            await _due(tx, effect)


async def _promised(tx: Transaction, effect: Promised) -> None:
    tx.session.add(
        Callback(
            id=new_id("cb"),
            request_id=effect.request_id,
            queue_id=effect.queue_id,
            kind=str(effect.kind),
            state="promised",
            window_start=effect.window_start,
            window_end=effect.window_end,
            slot_start=(effect.window_start if str(effect.kind) == "scheduled" else None),
        )
    )
    await tx.session.flush()
    await _changed(tx, effect.request_id)


async def _current(tx: Transaction, request_id: str) -> Callback | None:
    """The request's open callback row (there is at most one), else its latest."""
    rows = list(
        await tx.session.scalars(
            select(Callback)
            .where(Callback.request_id == request_id)
            .order_by(Callback.created_at.desc(), Callback.id.desc())
        )
    )
    return next((row for row in rows if row.ended_at is None), rows[0] if rows else None)


async def _changed(tx: Transaction, request_id: str, change: CallbackChanged | None = None) -> None:
    view = tx.rt.callbacks.get(request_id)
    row = await _current(tx, request_id)
    if change is not None and view.state != change.new:
        # A reschedule: the engine holds the new callback already; this row is the old one.
        if row is not None:
            row.state, row.attempts = str(change.new), change.attempt
            if change.new in FINAL_CALLBACK_STATES and row.ended_at is None:
                row.ended_at = utcnow()
        return  # the new one's Promised tells the customer
    if row is not None:
        if str(view.kind) == "scheduled":
            row.window_start, row.window_end = view.window_start, view.window_end
            row.slot_start = view.window_start
        row.state = str(view.state)
        row.attempts = view.attempt
        row.first_ring_at = view.first_rung_at
        if view.is_final and row.ended_at is None:
            row.ended_at = utcnow()
    await _publish(
        tx, request_id, "callback", {"request_id": request_id, "callback": views.callback(view)}
    )


async def _ring(tx: Transaction, effect: Ring) -> None:
    request = await tx.session.get(Request, effect.request_id)
    specialist = (
        await tx.session.get(Specialist, request.specialist_id)
        if request is not None and request.specialist_id
        else None
    )
    await tx.outbox.add(
        customer_stream(effect.request_id),
        "callback.ring",
        {
            "request_id": effect.request_id,
            "attempt": effect.attempt,
            "expires_at": int(effect.until * 1000),
            "specialist": {"name": specialist.name, "role": specialist.role}
            if specialist
            else None,
        },
    )
    # The same ring as a Web Push to the customer's browsers, once this commits.
    await push.ring(
        tx.rt,
        tx.session,
        effect.request_id,
        effect.attempt,
        effect.until,
        specialist.name if specialist else None,
    )


async def _settled(tx: Transaction, effect: PromiseSettled) -> None:
    row = await _current(tx, effect.request_id)
    if row is not None:
        outcome = str(effect.outcome)
        row.kept = True if outcome == "kept" else False if outcome == "broken" else None


async def _missed(tx: Transaction, effect: CallbackMissed) -> None:
    request = await tx.session.get(Request, effect.request_id)
    effects = tx.rt.queues.callback_missed(effect.request_id)
    if request is not None:
        await tell.system_message(tx, request, effect.message)
        if not effects:
            request.state, request.cause = "dead_end", str(DeadEndCause.MISSED_CALLBACK)
            request.ended_at = utcnow()
            await tell.customer_state(tx, request)
    await apply(tx, effects)


async def _requeue(tx: Transaction, effect: Requeue) -> None:
    request = await tx.session.get(Request, effect.request_id)
    if request is None:
        return
    await tell.system_message(tx, request, effect.message)
    try:
        effects = tx.rt.queues.callback_requeued(effect.request_id)
    except EngineError:  # set aside for its slot: back in its queue, a plain wait
        await join_queue(tx, request, priority=SLOT_PRIORITY)
        effects = tx.rt.queues.callback_requeued(effect.request_id)
    await apply(tx, effects)
    if not tx.rt.customer_sockets.get(effect.request_id):
        # A plain wait now, which needs the customer: the usual grace time to come back.
        await apply(tx, tx.rt.engine.customer_left(effect.request_id))


async def _due(tx: Transaction, effect: CallbackDue) -> None:
    request = await tx.session.get(Request, effect.request_id)
    if request is None:
        return
    try:
        view = tx.rt.engine.request(effect.request_id)
    except EngineError:
        view = None
    if view is not None and view.state is RequestState.CONNECTED:
        await callback_connected(tx, request)
    else:
        await join_queue(tx, request, priority=SLOT_PRIORITY)


async def _publish(tx: Transaction, request_id: str, type_: str, payload: dict[str, Any]) -> None:
    await tx.outbox.add(customer_stream(request_id), type_, payload)
    request = await tx.session.get(Request, request_id)
    if request is not None and request.specialist_id and request.state == "connected":
        await tx.outbox.add(specialist_stream(request.specialist_id), type_, payload)
