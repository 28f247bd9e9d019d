"""What the customer's widget can change: ask for help, write, update context, cancel, rate."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import select

from tapline.actions import thread, transaction
from tapline.actions.effects import FINAL, apply, callback_request_ended, submit
from tapline.actions.tell import customer_state, fan_out_message
from tapline.engine import EngineError, RequestState
from tapline.engine.rules import Routing
from tapline.errors import ActionError
from tapline.lib import configuration, sanitize, sources
from tapline.lib.identity import verify_customer
from tapline.lib.passwords import token_hash
from tapline.lib.runtime import Runtime
from tapline.lib.schemas import RequestCreate
from tapline.store.models import App, Message, Queue, Request, new_id, utcnow
from tapline.store.streams import specialist_stream

ENDED = {str(state) for state in FINAL}
AWAY_FROM_THE_ENGINE = {"new", "scheduled"}
"""Live states the engine does not hold: a closed queue's request, and a booked slot's."""
VERIFIED_ONLY = (
    "This app takes requests only from verified customers, and this customer's identity "
    "token is missing, invalid or expired. Sign in to the app and try again."
)


def shown_state(state: str) -> str:
    """The state as the customer sees it: an offer to a specialist is still waiting."""
    return str(RequestState.WAITING) if state == str(RequestState.OFFERED) else state


class BadField(ValueError):
    """A value refused, with its place in the body (`loc`, as FastAPI names it)."""

    def __init__(self, loc: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


async def create_request(
    rt: Runtime, app: App, body: RequestCreate, device: str | None = None
) -> tuple[Request, bool]:
    """A new request, or the one this caller already made with this client id (then
    `created` is False). The caller is the verified customer, else the holder of the SDK's
    `device` secret: another caller sending the same id gets a request of their own.

    The rules pick its queue, requirements and priority from the context and the verified
    claims. While the queue is open it joins the line; when closed it stays `new`, and the
    customer is offered the next slots.
    """
    try:
        context, tag = sources.split(sanitize.context(body.context, rt.settings.context_bytes))
    except sanitize.TooLarge:
        raise
    except ValueError as error:
        raise BadField(("body", "context"), str(error)) from error
    description = sanitize.redact_cards(body.description.strip())
    if not description:
        raise BadField(("body", "description"), "A description needs some text.")
    customer = verify_customer(app.secret, body.user)
    if app.verified_only and not customer["verified"]:
        # Before anything is looked up or stored: an unverified caller gets nothing here.
        raise HTTPException(403, VERIFIED_ONLY)
    caller = caller_key(app.id, customer, device)
    async with transaction(rt) as tx:
        if caller is not None:  # nobody to tell apart, nothing to find: a new request
            existing = await tx.session.scalar(
                select(Request).where(
                    Request.app_id == app.id,
                    Request.caller == caller,
                    Request.client_id == body.id,
                )
            )
            if existing is not None:
                return existing, False
        queue, routing = await _route(tx, context, customer)
        row = Request(
            id=new_id("r"),
            app_id=app.id,
            client_id=body.id,
            caller=caller,
            queue_id=queue.id,
            customer=customer,
            customer_key=customer_key(app.id, customer),
            description=description,
            context=context,
            state=str(RequestState.NEW),
            enqueued_at=rt.clock.now(),
            requirements=routing.requirements.to_dict() if routing else None,
            priority=routing.priority if routing else 0,
        )
        tx.session.add(row)
        await tx.session.flush()  # the message and the context's source refer to it
        await thread.record_source(tx.session, row.id, context, tag)
        first = Message(
            id=await tx.batch.ids.take(tx.session),  # the writer hands out every message's id
            request_id=row.id,
            sender="customer",
            author=customer.get("name") or "Customer",
            client_id=f"desc-{body.id}"[:64],
            body=description,
        )
        tx.session.add(first)
        await tx.session.flush()
        await fan_out_message(tx, row, first)  # the thread opens with it, on every device
        if configuration.queue_open(queue, rt.clock.now()):
            preferred = await _last_helper(tx.session, row)
            await apply(tx, submit(rt, row, priority=row.priority, preferred=preferred))
            # The customer is away until their socket says otherwise: one that never comes
            # is abandoned after the grace, as after a restart.
            await apply(tx, rt.engine.customer_left(row.id))
        return row, True


async def _route(
    tx: Any, context: dict[str, Any], customer: dict[str, Any]
) -> tuple[Queue, Routing | None]:
    claims = {"tier": customer["tier"]} if customer.get("verified") and customer.get("tier") else {}
    routing = configuration.route(tx.rt, context, claims)
    queue = await tx.session.get(Queue, routing.queue_id) if routing else None
    if queue is None:
        queue = await tx.session.scalar(
            select(Queue).where(Queue.archived_at.is_(None)).order_by(Queue.created_at, Queue.id)
        )
    if queue is None:
        raise ActionError("no_queue", "No queue is set up yet to take requests.")
    return queue, routing


async def _last_helper(session: Any, row: Request) -> str | None:
    """Who last helped this (verified) customer: routing prefers them for a while."""
    if row.customer_key is None:
        return None
    found: str | None = await session.scalar(
        select(Request.specialist_id)
        .where(
            Request.customer_key == row.customer_key,
            Request.specialist_id.is_not(None),
            Request.id != row.id,
        )
        .order_by(Request.created_at.desc())
        .limit(1)
    )
    return found


def customer_key(app_id: str, customer: dict[str, Any]) -> str | None:
    """Who this is across tabs and devices: only a verified customer has one."""
    if not customer.get("verified") or not customer.get("id"):
        return None
    return f"{app_id}:{customer['id']}"


def caller_key(app_id: str, customer: dict[str, Any], device: str | None) -> str | None:
    """Whose client ids these are, as a hash: the verified customer, else the device secret
    the SDK keeps (stored only hashed: the table does not give it away). A client id alone
    is something anyone can send, so it never finds another caller's request."""
    key = customer_key(app_id, customer)
    if key is not None:
        return token_hash(f"customer:{key}")
    if device:
        return token_hash(f"device:{app_id}:{device}")
    return None


async def cancel(rt: Runtime, request_id: str) -> str:
    async with transaction(rt) as tx:
        row = await tx.session.get(Request, request_id)
        if row is None:
            raise ActionError("not_found", "No such request.")
        if row.state in ENDED:
            return row.state
        if row.state in AWAY_FROM_THE_ENGINE:
            row.state, row.ended_at = str(RequestState.CANCELLED), utcnow()
            await callback_request_ended(tx, row)
            await customer_state(tx, row)
            return row.state
        try:
            effects = rt.engine.cancel(request_id)
        except EngineError as error:
            raise ActionError("invalid_state", str(error)) from error
        await apply(tx, effects)
        return row.state


async def rate(rt: Runtime, request_id: str, score: object, comment: object) -> None:
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ActionError("bad_frame", "A rating is a whole number from 1 to 5.")
    if comment is not None and (not isinstance(comment, str) or len(comment) > 1000):
        raise ActionError("bad_frame", "A rating comment is text of at most 1000 characters.")
    async with transaction(rt) as tx:
        row = await tx.session.get(Request, request_id)
        if row is None:
            raise ActionError("not_found", "No such request.")
        if row.state not in ENDED:
            raise ActionError("invalid_state", "You can rate the help once it has ended.")
        text = sanitize.redact_cards(comment) if comment else None
        if (row.rating, row.rating_comment) == (score, text):
            return  # a resend: already told
        row.rating, row.rating_comment = score, text
        if row.specialist_id:
            await tx.outbox.add(
                specialist_stream(row.specialist_id),
                "request.rated",
                {
                    "request_id": row.id,
                    "score": score,
                    "comment": row.rating_comment,
                },
            )


async def customer_presence(rt: Runtime, request_id: str, present: bool) -> None:
    """The customer's last socket closed, or one came back: the engine keeps the grace time."""
    async with transaction(rt) as tx:
        try:
            if present:
                effects = rt.engine.customer_returned(request_id)
            else:
                effects = rt.engine.customer_left(request_id)
        except EngineError:
            return  # ended and forgotten: nothing to keep
        await apply(tx, effects)


async def _open_request(session: Any, request_id: str) -> Request:
    row: Request | None = await session.get(Request, request_id)
    if row is None:
        raise ActionError("not_found", "No such request.")
    if row.state in ENDED:
        raise ActionError("invalid_state", "This conversation has ended.")
    return row
