"""Turn what the engine decided into rows and events, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from tapline import views, waits
from tapline.actions import Transaction
from tapline.engine import (
    DeadEndCause,
    Effect,
    OfferMade,
    OfferWithdrawn,
    PresenceChanged,
    QueueChanged,
    RequestState,
    StateChanged,
)
from tapline.engine.effects import QueueFallback, Routable, Unroutable
from tapline.models import Message, Offer, Queue, Request, Specialist, new_id, utcnow
from tapline.runtime import Runtime
from tapline.streams import customer_stream, specialist_stream

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
        await system_message(
            tx, row, "We're connecting you with a wider team who can help with this."
        )
        return
    if isinstance(effect, Routable):
        await system_message(tx, row, "Someone who can help with this is available again.")
        return
    await system_message(
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
        from tapline.actions import callbacks  # its callback ends with it

        await callbacks.request_ended(tx, row)
    await customer_state(tx, row)
    if effect.new is RequestState.CONNECTED:
        await _connected(tx, row)
        return
    if previous_specialist:
        await tx.outbox.add(
            specialist_stream(previous_specialist),
            "request.state",
            specialist_state_payload(row),
        )
    if (
        effect.new is RequestState.WAITING
        and effect.old is RequestState.CONNECTED
        and not _callback_requeued(tx.rt, row.id)
    ):
        from tapline.actions import callbacks  # a ring for the one who left stops

        await callbacks.specialist_left(tx, row)
        await system_message(
            tx,
            row,
            "Your specialist was disconnected. We're finding someone else, "
            "who will see everything you shared.",
        )


def _handled_for(rt: Runtime, row: Request, now: float) -> float:
    """How long the chat took, by the engine's clock (the one waits are measured by)."""
    from tapline.engine import EngineError

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
        {"request": await request_detail(tx, row)},
    )
    await system_message(tx, row, f"{specialist.name} ({specialist.role}) joined.")
    from tapline.actions import callbacks  # a callback rings once a specialist is there

    await callbacks.connected(tx, row)


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
                callback_wire(tx.rt, row.id),
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
    from tapline.engine.callback_states import CallbackError

    try:
        found = rt.callbacks.get(request_id)
    except CallbackError:
        return False
    # Only a requeue now: an old one must not hide a later real disconnect.
    return str(found.state) == "requeued" and found.ended_at == rt.clock.now()


def callback_wire(rt: Runtime, request_id: str) -> dict[str, Any] | None:
    """The request's live callback as the desk and widget see it, if it has one."""
    from tapline.actions.callbacks import live_wire

    return live_wire(rt, request_id)


async def customer_state(tx: Transaction, row: Request) -> None:
    specialist = (
        await tx.session.get(Specialist, row.specialist_id)
        if row.specialist_id and row.state == RequestState.CONNECTED
        else None
    )
    await tx.outbox.add(
        customer_stream(row.id),
        "request.state",
        {
            "request_id": row.id,
            "state": row.state,
            "cause": row.cause,
            "specialist": views.specialist_ref(specialist),
        },
    )


def specialist_state_payload(row: Request) -> dict[str, object]:
    return {
        "request_id": row.id,
        "state": row.state,
        "cause": row.cause,
        "disposition": row.disposition,
        "note": row.note,
        "rating": row.rating,
    }


async def system_message(tx: Transaction, row: Request, body: str) -> Message:
    message = Message(
        id=await tx.batch.ids.take(tx.session),  # the writer hands out every message's id
        request_id=row.id,
        sender="system",
        author="tapline",
        client_id=new_id("sys"),
        body=body,
    )
    tx.session.add(message)
    await tx.session.flush()
    await fan_out_message(tx, row, message)
    return message


async def fan_out_message(tx: Transaction, row: Request, message: Message) -> None:
    payload = {"request_id": row.id, "message": views.message(message)}
    await tx.outbox.add(customer_stream(row.id), "message", payload)
    if row.specialist_id and row.state == RequestState.CONNECTED:
        await tx.outbox.add(specialist_stream(row.specialist_id), "message", payload)


async def request_detail(tx: Transaction, row: Request) -> dict[str, object]:
    queue = await tx.session.get(Queue, row.queue_id)
    messages = list(
        await tx.session.scalars(
            select(Message).where(Message.request_id == row.id).order_by(Message.id)
        )
    )
    return views.request_detail(row, queue, messages, callback_wire(tx.rt, row.id))
