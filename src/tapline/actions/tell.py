"""What a write tells the clients, inside its transaction: a request's state, a system
message, a request's whole detail, and its live callback as the desk and widget see it.

Both kinds of effects (`effects.py`) and the actions that write directly use these; this
module imports neither, so nothing here closes a cycle.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tapline.actions import Transaction, presence, thread
from tapline.engine import RequestState
from tapline.engine.callback_states import Callback as CallbackView
from tapline.engine.callback_states import CallbackError
from tapline.lib import views
from tapline.lib.runtime import Runtime
from tapline.store.models import Message, Queue, Request, Specialist, new_id
from tapline.store.streams import customer_stream, specialist_stream


def live_callback(rt: Runtime, request_id: str) -> CallbackView | None:
    """The request's callback, unless it has none or it has ended."""
    try:
        found = rt.callbacks.get(request_id)
    except CallbackError:
        return None
    return None if found.is_final else found


def callback_wire(rt: Runtime, request_id: str) -> dict[str, Any] | None:
    """The request's live callback as the desk and widget see it, if it has one."""
    found = live_callback(rt, request_id)
    return views.callback(found) if found is not None else None


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
    found = await thread.sources_of(tx.session, row.id)
    here = presence.of(tx.rt, row.id)
    return views.request_detail(row, queue, messages, callback_wire(tx.rt, row.id), found, here)
