"""Callbacks: the customer keeps their place or books a slot; the app rings when it's time.

The pure core is `engine/callbacks.py` and `engine/slots.py`; these are the customer's
callback actions and the slot books' upkeep. Each persists every change, then publishes
events (see docs/protocol.md, Callbacks); the callback ledger's effects, which lead to
request effects and back, are applied in `effects.py`.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tapline.actions import Transaction, tell, transaction
from tapline.actions.effects import SLOT_PRIORITY, apply, apply_callbacks, join_queue
from tapline.engine import EngineError
from tapline.engine.callback_states import CallbackError
from tapline.engine.queues import promise_window
from tapline.engine.slots import (
    SlotBook,
    SlotError,
    SlotFull,
    SlotInPast,
    SlotTooSoon,
    UnknownBooking,
)
from tapline.errors import ActionError
from tapline.lib import configuration, views, waits
from tapline.lib.runtime import Runtime
from tapline.store.models import Queue, Request

RESERVE_LEAD = 300.0  # a specialist is reserved this long before a booked slot


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
        shown = waits.estimate(rt, request_id)
        try:
            rt.engine.mark_callback(request_id, True)
            found = tell.live_callback(rt, request_id)
            if found is not None:
                return {"callback": views.callback(found)}
            # the simulator promises through the same command (engine/queues.py)
            effects = rt.queues.promise_in_queue(
                request_id, row.queue_id, now, shown[0] if shown is not None else None
            )
        except (EngineError, CallbackError) as error:
            raise ActionError("invalid_state", str(error)) from error
        await apply_callbacks(tx, effects)
        return {"callback": views.callback(rt.callbacks.get(request_id))}


def in_queue_window(rt: Runtime, request_id: str) -> float | None:
    """An in-queue promise's length for the estimate shown now: the engine's rule
    (`engine.queues.promise_window`), which the simulator follows too."""
    shown = waits.estimate(rt, request_id)
    return promise_window(shown[0] if shown is not None else None)


async def schedule(rt: Runtime, request_id: str, slot_ms: object) -> dict[str, Any]:
    """Book a slot; the request leaves the queue until shortly before it."""
    slot = _slot(slot_ms)
    async with transaction(rt) as tx:
        row = await _row(tx, request_id)
        now = rt.clock.now()
        book = book_for(rt, row.queue_id)
        if tell.live_callback(rt, request_id) is not None:
            raise ActionError("invalid_state", "A callback is already set: reschedule it.")
        if row.state not in ("new", "waiting", "offered"):
            raise ActionError("invalid_state", "A time is booked while waiting, not now.")
        try:
            booking = book.book(slot, request_id, now)
        except (SlotError, UnknownBooking) as error:
            raise slot_error(error) from error
        if row.state in ("waiting", "offered"):
            await apply(tx, rt.engine.set_aside(request_id))
        row.state = "scheduled"
        await apply_callbacks(
            tx,
            rt.callbacks.promise_scheduled(
                request_id, row.queue_id, booking.slot_start, booking.slot_end, now
            ),
        )
        await tell.customer_state(tx, row)
        return {"callback": views.callback(rt.callbacks.get(request_id))}


async def reschedule(rt: Runtime, request_id: str, slot_ms: object) -> dict[str, Any]:
    slot = _slot(slot_ms)
    async with transaction(rt) as tx:
        row = await _row(tx, request_id)
        now = rt.clock.now()
        found = tell.live_callback(rt, request_id)
        if found is None or str(found.kind) != "scheduled":
            raise ActionError("not_found", "There is no booked time to change.")
        if row.state == "connected":
            raise ActionError("invalid_state", "Your specialist is with you now.")
        try:
            _, booking = book_for(rt, row.queue_id).reschedule(request_id, slot, now)
        except (SlotError, UnknownBooking) as error:
            raise slot_error(error) from error
        await apply_callbacks(
            tx, rt.callbacks.reschedule(request_id, booking.slot_start, booking.slot_end, now)
        )
        if row.state in ("waiting", "offered"):
            # It had joined its queue for the old slot: aside again until the new one.
            await apply(tx, rt.engine.set_aside(request_id))
            row.state = "scheduled"
            await tell.customer_state(tx, row)
        return {"callback": views.callback(rt.callbacks.get(request_id))}


async def cancel_callback(rt: Runtime, request_id: str) -> dict[str, Any]:
    """Drop the callback: an in-queue one waits on at its place; a booked one rejoins."""
    async with transaction(rt) as tx:
        row = await _row(tx, request_id)
        found = tell.live_callback(rt, request_id)
        if found is None:
            raise ActionError("not_found", "There is no callback to cancel.")
        await apply_callbacks(tx, rt.callbacks.cancel(request_id, rt.clock.now()))
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
                await tell.customer_state(tx, row)
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
        await apply_callbacks(tx, effects)
        return {"callback": views.callback(rt.callbacks.get(request_id))}


SLOT_MS_MAX = 4_102_444_800_000
"""2100-01-01 in ms: later is no slot, and a huge integer would overflow a float."""


def _slot(value: object) -> float:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= SLOT_MS_MAX:
        raise ActionError("bad_frame", "`slot` is a slot's start in ms since the epoch.")
    return value / 1000


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
            if (
                row is None
                or row.state != "scheduled"
                or tell.live_callback(rt, request_id) is None
            ):
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
                await apply_callbacks(tx, effects)
                when = _local(moved.slot_start, queue.timezone if queue else "UTC")
                await tell.system_message(tx, row, MOVED.format(when=when))
                continue
            book.cancel(request_id)
            await apply_callbacks(tx, rt.callbacks.cancel(request_id, now))
            if queue is not None and configuration.queue_open(queue, now):
                await tell.system_message(tx, row, NOWHERE)
                await join_queue(tx, row, priority=SLOT_PRIORITY, callback=False)
            else:
                await tell.system_message(tx, row, NOWHERE_CLOSED)
                row.state = "new"
                await tell.customer_state(tx, row)


def _local(t: float, timezone: str) -> str:
    return datetime.fromtimestamp(t, ZoneInfo(timezone or "UTC")).strftime("%A %H:%M")


async def reserve_due(tx: Transaction) -> None:
    """Booked slots starting soon: their requests join the queue ahead of walk-ins."""
    now = tx.rt.clock.now()
    for book in tx.rt.slot_books.values():
        for booking in book.due_reservations(now, RESERVE_LEAD):
            request = await tx.session.get(Request, booking.request_id)
            if request is not None and request.state == "scheduled":
                await join_queue(tx, request, priority=SLOT_PRIORITY)
        book.prune(now)  # slots over: their bookings have joined the line or ended
