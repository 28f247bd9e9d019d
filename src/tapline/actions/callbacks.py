"""Callbacks: the customer keeps their place or books a slot; the app rings when it's time.

The pure core is `engine/callbacks.py` and `engine/slots.py`; this is their driver. It
persists every change, then publishes events (see docs/protocol.md, Callbacks).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tapline import configuration, push, waits
from tapline.actions import Transaction, transaction
from tapline.actions import effects as engine_effects
from tapline.engine import DeadEndCause, EngineError, RequestState
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
from tapline.engine.callback_states import Callback as CallbackView
from tapline.engine.requirements import Requirements
from tapline.engine.slots import (
    SlotBook,
    SlotError,
    SlotFull,
    SlotInPast,
    SlotTooSoon,
    UnknownBooking,
)
from tapline.errors import ActionError
from tapline.models import Callback, Queue, Request, Specialist, new_id, utcnow
from tapline.runtime import Runtime
from tapline.streams import customer_stream, specialist_stream

RESERVE_LEAD = 300.0  # a specialist is reserved this long before a booked slot
MAX_IN_QUEUE_WINDOW = 86400.0  # longer estimates promise the policy's window instead
SLOT_PRIORITY = 1000  # a booked callback goes ahead of walk-ins when its reservation is due


def wire(cb: CallbackView) -> dict[str, Any]:
    def ms(value: float | None) -> int | None:
        return int(value * 1000) if value is not None else None

    return {
        "id": cb.request_id,
        "kind": str(cb.kind),
        "state": str(cb.state),
        "window_start": ms(cb.window_start),
        "window_end": ms(cb.window_end),
        "slot_start": ms(cb.window_start) if str(cb.kind) == "scheduled" else None,
        "attempts": cb.attempt,
        "kept": None if cb.promise is None else cb.kept,
    }


def slot_error(error: SlotError | UnknownBooking) -> ActionError:
    if isinstance(error, SlotFull):
        return ActionError("slot_full", "That time is fully booked now. Pick another.")
    if isinstance(error, SlotInPast | SlotTooSoon):
        return ActionError("slot_past", "That time has passed or is too soon. Pick another.")
    if isinstance(error, UnknownBooking):
        return ActionError("not_found", "There is no booked time to change.")
    return ActionError("slot_closed", "No one works at that time. Pick one of the times shown.")


def book_for(rt: Runtime, queue_id: str) -> SlotBook:
    book = rt.slot_books.get(queue_id)
    if book is None:
        raise ActionError("slot_closed", "This queue takes no scheduled callbacks.")
    return book


async def _row(tx: Transaction, request_id: str) -> Request:
    row = await tx.session.get(Request, request_id)
    if row is None:
        raise ActionError("not_found", "No such request.")
    if row.state in ("resolved", "cancelled", "dead_end"):
        raise ActionError("invalid_state", "This conversation has ended.")
    return row


async def want_callback(rt: Runtime, request_id: str) -> dict[str, Any]:
    """Keep my place and ring me when it's my turn."""
    async with transaction(rt) as tx:
        row = await _row(tx, request_id)
        if row.state not in ("waiting", "offered"):
            raise ActionError(
                "invalid_state",
                "A callback keeps a place in the queue: this request is not waiting.",
            )
        now = rt.clock.now()
        window = in_queue_window(rt, request_id)
        try:
            rt.engine.mark_callback(request_id, True)
            found = _live(rt, request_id)
            if found is not None:
                return {"callback": wire(found)}
            effects = rt.callbacks.promise_in_queue(
                request_id,
                row.queue_id,
                now,
                window=window,
            )
        except (EngineError, CallbackError) as error:
            raise ActionError("invalid_state", str(error)) from error
        await apply(tx, effects)
        return {"callback": wire(rt.callbacks.get(request_id))}


def in_queue_window(rt: Runtime, request_id: str) -> float | None:
    """An in-queue promise's length: the late end of the wait estimate shown, if any.

    None (the policy's default window) when there is no estimate, or it is a day or more.
    """
    shown = waits.estimate(rt, request_id)
    window = shown[0].promise if shown is not None else None
    return window if window is not None and window < MAX_IN_QUEUE_WINDOW else None


async def schedule(rt: Runtime, request_id: str, slot_ms: object) -> dict[str, Any]:
    """Book a slot; the request leaves the queue until shortly before it."""
    slot = _slot(slot_ms)
    async with transaction(rt) as tx:
        row = await _row(tx, request_id)
        now = rt.clock.now()
        book = book_for(rt, row.queue_id)
        if _live(rt, request_id) is not None:
            raise ActionError("invalid_state", "A callback is already set: reschedule it.")
        if row.state not in ("new", "waiting", "offered"):
            raise ActionError("invalid_state", "A time is booked while waiting, not now.")
        try:
            booking = book.book(slot, request_id, now)
        except (SlotError, UnknownBooking) as error:
            raise slot_error(error) from error
        if row.state in ("waiting", "offered"):
            await engine_effects.apply(tx, rt.engine.set_aside(request_id))
        row.state = "scheduled"
        await apply(
            tx,
            rt.callbacks.promise_scheduled(
                request_id, row.queue_id, booking.slot_start, booking.slot_end, now
            ),
        )
        await engine_effects.customer_state(tx, row)
        return {"callback": wire(rt.callbacks.get(request_id))}


async def reschedule(rt: Runtime, request_id: str, slot_ms: object) -> dict[str, Any]:
    slot = _slot(slot_ms)
    async with transaction(rt) as tx:
        row = await _row(tx, request_id)
        now = rt.clock.now()
        found = _live(rt, request_id)
        if found is None or str(found.kind) != "scheduled":
            raise ActionError("not_found", "There is no booked time to change.")
        if row.state == "connected":
            raise ActionError("invalid_state", "Your specialist is with you now.")
        try:
            _, booking = book_for(rt, row.queue_id).reschedule(request_id, slot, now)
        except (SlotError, UnknownBooking) as error:
            raise slot_error(error) from error
        await apply(
            tx, rt.callbacks.reschedule(request_id, booking.slot_start, booking.slot_end, now)
        )
        if row.state in ("waiting", "offered"):
            # It had joined its queue for the old slot: aside again until the new one.
            await engine_effects.apply(tx, rt.engine.set_aside(request_id))
            row.state = "scheduled"
            await engine_effects.customer_state(tx, row)
        return {"callback": wire(rt.callbacks.get(request_id))}


async def cancel_callback(rt: Runtime, request_id: str) -> dict[str, Any]:
    """Drop the callback: an in-queue one waits on at its place; a booked one rejoins."""
    async with transaction(rt) as tx:
        row = await _row(tx, request_id)
        found = _live(rt, request_id)
        if found is None:
            raise ActionError("not_found", "There is no callback to cancel.")
        await apply(tx, rt.callbacks.cancel(request_id, rt.clock.now()))
        if str(found.kind) == "scheduled":
            book = rt.slot_books.get(row.queue_id)
            if book is not None:
                with contextlib.suppress(UnknownBooking):
                    book.cancel(request_id)
            queue = await tx.session.get(Queue, row.queue_id)
            if row.state != "scheduled":
                pass  # it joined its queue for the slot already: it waits on, plainly
            elif queue is not None and configuration.queue_open(queue, rt.clock.now()):
                await join_queue(tx, row, priority=0, callback=False)
            else:
                row.state = "new"  # closed: the customer may book another time
                await engine_effects.customer_state(tx, row)
        with contextlib.suppress(EngineError):
            rt.engine.mark_callback(request_id, False)
        return {"state": row.state}


async def answer(rt: Runtime, request_id: str, accept: object) -> dict[str, Any]:
    """The customer answered the ring: yes joins the specialist, no counts as not now."""
    async with transaction(rt) as tx:
        await _row(tx, request_id)
        now = rt.clock.now()
        try:
            effects = (
                rt.callbacks.answered(request_id, now)
                if accept is True
                else rt.callbacks.no_answer(request_id, now)
            )
        except CallbackError as error:
            raise ActionError("invalid_state", "Nothing is ringing now.") from error
        await apply(tx, effects)
        return {"callback": wire(rt.callbacks.get(request_id))}


SLOT_MS_MAX = 4_102_444_800_000
"""2100-01-01 in ms: later is no slot, and a huge integer would overflow a float."""


def _slot(value: object) -> float:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= SLOT_MS_MAX:
        raise ActionError("bad_frame", "`slot` is a slot's start in ms since the epoch.")
    return value / 1000


def live_wire(rt: Runtime, request_id: str) -> dict[str, Any] | None:
    found = _live(rt, request_id)
    return wire(found) if found is not None else None


def _live(rt: Runtime, request_id: str) -> CallbackView | None:
    try:
        found = rt.callbacks.get(request_id)
    except CallbackError:
        return None
    return None if found.is_final else found


async def connected(tx: Transaction, row: Request) -> None:
    """A specialist took a request holding a callback: ring now, if its time has come."""
    found = _live(tx.rt, row.id)
    if found is None or str(found.state) == "ringing":
        return
    now = tx.rt.clock.now()
    if str(found.kind) == "scheduled" and now < found.window_start:
        return  # reserved early: ring when the slot starts (CallbackDue)
    await apply(tx, tx.rt.callbacks.ring(row.id, now))


async def specialist_left(tx: Transaction, row: Request) -> None:
    """The specialist a callback was ringing for left: stop ringing; the next one rings."""
    found = _live(tx.rt, row.id)
    if found is not None and str(found.state) in ("ringing", "retrying"):
        await apply(tx, tx.rt.callbacks.hold(row.id, tx.rt.clock.now()))


async def request_ended(tx: Transaction, row: Request) -> None:
    """The request ended another way (cancelled, resolved, abandoned): so does its callback.

    Otherwise the callback would ring on, and its deadlines would later break its promise
    and end the finished request again as a missed callback.
    """
    rt = tx.rt
    book = rt.slot_books.get(row.queue_id)
    if book is not None:
        with contextlib.suppress(UnknownBooking):
            book.cancel(row.id)
    if _live(rt, row.id) is not None:
        await apply(tx, rt.callbacks.cancel(row.id, rt.clock.now()))


MOVED = (
    "The time you booked is no longer available, so we moved your callback to {when}. "
    "You can pick another time."
)
NOWHERE = (
    "The time you booked is no longer available and no other time is free, so you are "
    "back in the queue."
)
NOWHERE_CLOSED = (
    "The time you booked is no longer available and no other time is free. Please try again later."
)


async def rebook_displaced(tx: Transaction) -> None:
    """Bookings that no longer fit (staffing or hours changed) move to the next free slot,
    or else back to the queue; the customer is told either way. Never dropped silently."""
    rt = tx.rt
    now = rt.clock.now()
    for book in rt.slot_books.values():
        for booking in book.displaced():
            request_id = booking.request_id
            row = await tx.session.get(Request, request_id)
            if row is None or row.state != "scheduled" or _live(rt, request_id) is None:
                book.cancel(request_id)  # ended, or under way in its queue already
                continue
            free = book.slots(now)
            later = [slot for slot in free if slot.start >= booking.slot_start]
            choices = later or free
            target = choices[0] if choices else None
            queue = await tx.session.get(Queue, row.queue_id)
            if target is not None:
                _, moved = book.reschedule(request_id, target.start, now)
                effects = rt.callbacks.reschedule(request_id, moved.slot_start, moved.slot_end, now)
                await apply(tx, effects)
                when = _local(moved.slot_start, queue.timezone if queue else "UTC")
                await engine_effects.system_message(tx, row, MOVED.format(when=when))
                continue
            book.cancel(request_id)
            await apply(tx, rt.callbacks.cancel(request_id, now))
            if queue is not None and configuration.queue_open(queue, now):
                await engine_effects.system_message(tx, row, NOWHERE)
                await join_queue(tx, row, priority=SLOT_PRIORITY, callback=False)
            else:
                await engine_effects.system_message(tx, row, NOWHERE_CLOSED)
                row.state = "new"
                await engine_effects.customer_state(tx, row)


def _local(t: float, timezone: str) -> str:
    return datetime.fromtimestamp(t, ZoneInfo(timezone or "UTC")).strftime("%A %H:%M")


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
    await engine_effects.apply(
        tx, submit(rt, row, priority=row.priority + priority, callback=callback)
    )
    if not callback and not rt.customer_sockets.get(row.id):
        await engine_effects.apply(tx, rt.engine.customer_left(row.id))


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


async def apply(tx: Transaction, effects: list[CallbackEffect]) -> None:
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
    await _publish(tx, request_id, "callback", {"request_id": request_id, "callback": wire(view)})


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
        tx, effect.request_id, effect.attempt, effect.until, specialist.name if specialist else None
    )


async def _settled(tx: Transaction, effect: PromiseSettled) -> None:
    row = await _current(tx, effect.request_id)
    if row is not None:
        outcome = str(effect.outcome)
        row.kept = True if outcome == "kept" else False if outcome == "broken" else None


async def _missed(tx: Transaction, effect: CallbackMissed) -> None:
    request = await tx.session.get(Request, effect.request_id)
    try:
        effects = tx.rt.engine.end_dead(effect.request_id, DeadEndCause.MISSED_CALLBACK)
    except EngineError:
        effects = []
    if request is not None:
        await engine_effects.system_message(tx, request, effect.message)
        if not effects:
            request.state, request.cause = "dead_end", str(DeadEndCause.MISSED_CALLBACK)
            request.ended_at = utcnow()
            await engine_effects.customer_state(tx, request)
    await engine_effects.apply(tx, effects)


async def _requeue(tx: Transaction, effect: Requeue) -> None:
    request = await tx.session.get(Request, effect.request_id)
    if request is None:
        return
    await engine_effects.system_message(tx, request, effect.message)
    try:
        view = tx.rt.engine.request(effect.request_id)
    except EngineError:
        view = None
    if view is not None and view.state is RequestState.CONNECTED:
        await engine_effects.apply(tx, tx.rt.engine.requeue(effect.request_id, front=True))
    else:
        await join_queue(tx, request, priority=SLOT_PRIORITY)
    tx.rt.engine.mark_callback(effect.request_id, False)
    if not tx.rt.customer_sockets.get(effect.request_id):
        # A plain wait now, which needs the customer: the usual grace time to come back.
        await engine_effects.apply(tx, tx.rt.engine.customer_left(effect.request_id))


async def _due(tx: Transaction, effect: CallbackDue) -> None:
    request = await tx.session.get(Request, effect.request_id)
    if request is None:
        return
    try:
        view = tx.rt.engine.request(effect.request_id)
    except EngineError:
        view = None
    if view is not None and view.state is RequestState.CONNECTED:
        await connected(tx, request)
    else:
        await join_queue(tx, request, priority=SLOT_PRIORITY)


async def _publish(tx: Transaction, request_id: str, type_: str, payload: dict[str, Any]) -> None:
    await tx.outbox.add(customer_stream(request_id), type_, payload)
    request = await tx.session.get(Request, request_id)
    if request is not None and request.specialist_id and request.state == "connected":
        await tx.outbox.add(specialist_stream(request.specialist_id), type_, payload)


async def reserve_due(tx: Transaction) -> None:
    """Booked slots starting soon: their requests join the queue ahead of walk-ins."""
    now = tx.rt.clock.now()
    for book in tx.rt.slot_books.values():
        for booking in book.due_reservations(now, RESERVE_LEAD):
            request = await tx.session.get(Request, booking.request_id)
            if request is not None and request.state == "scheduled":
                await join_queue(tx, request, priority=SLOT_PRIORITY)
        book.prune(now)  # slots over: their bookings have joined the line or ended
