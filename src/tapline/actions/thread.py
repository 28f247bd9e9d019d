"""The hot path of a conversation: messages and context, as writer steps.

A message is the most frequent write there is. It runs as one step of the writer's batch
with SQLAlchemy Core (one INSERT that also tells a resend apart), reads the request's state
from the engine rather than the database, and shares its batch's commit. A resent message
(same client id) gets the first one's answer, even after the conversation ended.
"""

from __future__ import annotations

from typing import Any, NoReturn

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tapline.engine import EngineError, RequestState
from tapline.errors import ActionError
from tapline.lib import sanitize, sources, views
from tapline.lib.runtime import Runtime
from tapline.store.models import ContextSource, Request, utcnow
from tapline.store.streams import customer_stream, specialist_stream
from tapline.store.threads import Key, Made
from tapline.store.writer import Batch

LIVE = (RequestState.WAITING, RequestState.OFFERED, RequestState.CONNECTED)
ENDED = {str(RequestState.RESOLVED), str(RequestState.CANCELLED), str(RequestState.DEAD_END)}


async def customer_message(
    rt: Runtime, request_id: str, client_id: str, author: str, body: object
) -> int:
    """The customer writes; returns the message's id (the first one's, for a resend)."""
    text = sanitize.message_body(body, rt.settings.message_bytes)

    async def step(batch: Batch) -> int:
        used = await batch.threads.used(batch.session, request_id)
        made = used.get(("customer", client_id))
        if made is not None:
            return made[1]  # a resend, even after the end: the same answer
        live, specialist_id = _live(rt, request_id)
        if not live:
            await _refuse_ended(batch, request_id)  # else a closed queue's or a booked slot's
        row = _row(request_id, "customer", None, author, client_id, text)
        return await _add(batch, used, row, specialist_id)

    return await rt.writer.step(step)


async def specialist_message(
    rt: Runtime, specialist_id: str, author: str, request_id: str, client_id: str, body: object
) -> int:
    """The specialist replies in a conversation they hold."""
    text = sanitize.message_body(body, rt.settings.message_bytes)

    async def step(batch: Batch) -> int:
        used = await batch.threads.used(batch.session, request_id)
        made = used.get(("specialist", client_id))
        if made is not None:
            if made[0] != specialist_id:  # another specialist's, in this conversation
                raise ActionError("bad_frame", "That message id is already used; use a new one.")
            return made[1]  # a resend, even after the end: the same answer
        live, holder = _live(rt, request_id)
        if not live or holder != specialist_id:
            await _refuse_not_held(batch, request_id, specialist_id)
        row = _row(request_id, "specialist", specialist_id, author, client_id, text)
        return await _add(batch, used, row, specialist_id)

    return await rt.writer.step(step)


async def update_context(rt: Runtime, request_id: str, raw: object) -> dict[str, Any]:
    """The customer's app says where they are now, from one tab or device (`lib.sources`);
    the specialist holding it sees that source change, and the others stay as they were."""
    context, tag = sources.split(sanitize.context(raw, rt.settings.context_bytes))

    async def step(batch: Batch) -> dict[str, Any]:
        changed = await batch.session.execute(
            update(Request)
            .where(Request.id == request_id, Request.state.not_in(ENDED))
            .values(context=context)
            .returning(Request.state, Request.specialist_id)
        )
        found = changed.first()
        if found is None:
            await _refuse_closed(batch, request_id)
        state, specialist_id = found
        source = await record_source(batch.session, request_id, context, tag)
        if specialist_id and state == RequestState.CONNECTED:
            stream = specialist_stream(specialist_id)
            await batch.outbox.load([stream])
            payload = {"request_id": request_id, "context": context, "source": source}
            batch.outbox.put(stream, "context.updated", payload)
        return context

    return await rt.writer.step(step)


LIGHT = (
    ContextSource.id,
    ContextSource.source,
    ContextSource.tab,
    ContextSource.device,
    ContextSource.ua,
    ContextSource.step,
    ContextSource.peak_step,
    ContextSource.peak_at,
    ContextSource.history,
    ContextSource.seen,
    ContextSource.steps,
    ContextSource.updated_at,
)
"""What an update reads of a request's sources: never their contexts (kept bytes apart)."""


async def record_source(
    session: AsyncSession, request_id: str, context: dict[str, Any], tag: sources.Tag
) -> dict[str, Any]:
    """Keep `context` as its source's (one read, one write, maybe one delete); the source
    as the desk sees it."""
    found = await session.execute(select(*LIGHT).where(ContextSource.request_id == request_id))
    rows = [dict(item._mapping) for item in found]
    now = views.ms(utcnow()) or 0
    row = next((item for item in rows if item["source"] == tag["key"]), None)
    if row is None:
        row = sources.new_row(tag, now)
        rows.append(row)
    moved = sources.apply(rows, row, context, now)
    gone = sources.evict(rows, row)
    if gone is not None:
        rows.remove(gone)
        await session.execute(delete(ContextSource).where(ContextSource.id == gone["id"]))
    values = {key: row[key] for key in COLUMNS}
    if moved:
        values["peak"] = context
    if "id" in row:
        await session.execute(
            update(ContextSource).where(ContextSource.id == row["id"]).values(**values)
        )
    else:
        await session.execute(insert(ContextSource).values(request_id=request_id, **values))
    return sources.wire(rows, row)


async def sources_of(session: AsyncSession, request_id: str) -> list[dict[str, Any]]:
    """A request's sources as the desk sees them, each with its furthest step's context."""
    found = await session.execute(
        select(*LIGHT, ContextSource.peak).where(ContextSource.request_id == request_id)
    )
    rows = [dict(item._mapping) for item in found]
    return [sources.wire(rows, row) for row in sorted(rows, key=lambda row: row["id"])]


COLUMNS = (
    "source", "tab", "device", "ua", "step", "context", "peak_step", "peak_at", "history",
    "seen", "steps", "updated_at",
)  # fmt: skip


def _row(
    request_id: str,
    sender: str,
    specialist_id: str | None,
    author: str,
    client_id: str,
    text: str,
) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "sender": sender,
        "specialist_id": specialist_id,
        "author": author,
        "client_id": client_id,
        "body": text,
        "created_at": utcnow(),
    }


async def _add(
    batch: Batch, used: dict[Key, Made], row: dict[str, Any], specialist_id: str | None
) -> int:
    """Store the message with the batch and put it on the streams of those in the
    conversation: no statement of its own."""
    message_id = await batch.ids.take(batch.session)
    row["id"] = message_id
    batch.outbox.put_message(row)
    used[(row["sender"], row["client_id"])] = (row["specialist_id"], message_id)
    request_id = row["request_id"]
    streams = [customer_stream(request_id)]
    if specialist_id is not None:
        streams.append(specialist_stream(specialist_id))
    await batch.outbox.load(streams)
    payload = {"request_id": request_id, "message": _wire(message_id, row)}
    for stream in streams:
        batch.outbox.put(stream, "message", payload)
    return message_id


def _wire(message_id: int, row: dict[str, Any]) -> dict[str, Any]:
    """A message as `views.message` gives it, from the row just written."""
    return {
        "id": message_id,
        "client_id": row["client_id"],
        "sender": row["sender"],
        "author": row["author"],
        "body": row["body"],
        "at": views.ms(row["created_at"]),
    }


def _live(rt: Runtime, request_id: str) -> tuple[bool, str | None]:
    """Whether the engine holds the request (waiting, offered, connected), and with whom."""
    try:
        view = rt.engine.request(request_id)
    except EngineError:
        return False, None  # a closed queue's, a booked slot's, or ended long ago
    if view.state not in LIVE:
        return False, None  # ended: the database says how
    connected = view.state is RequestState.CONNECTED
    return True, view.specialist_id if connected else None


async def _refuse_ended(batch: Batch, request_id: str) -> None:
    state = await batch.session.scalar(select(Request.state).where(Request.id == request_id))
    if state is None:
        raise ActionError("not_found", "No such request.")
    if state in ENDED:
        raise ActionError("invalid_state", "This conversation has ended.")


async def _refuse_not_held(batch: Batch, request_id: str, specialist_id: str) -> NoReturn:
    found = await batch.session.execute(
        select(Request.state, Request.specialist_id).where(Request.id == request_id)
    )
    row = found.first()
    if row is None or row.specialist_id != specialist_id:
        raise ActionError("not_allowed", "That request is not yours.")
    raise ActionError("invalid_state", "That conversation has ended.")


async def _refuse_closed(batch: Batch, request_id: str) -> NoReturn:
    exists = await batch.session.scalar(select(Request.id).where(Request.id == request_id))
    if exists is None:
        raise ActionError("not_found", "No such request.")
    raise ActionError("invalid_state", "This conversation has ended.")
