"""The customer's Web Push subscriptions: a browser set to ring when the request's callback
rings, and taken off again. The keys, the checks and the sending are `push.py`.

Subscriptions are not the engine's state: these write them in their own transaction, not in
the writer's batches. Refusals: `not_allowed` (an unknown request, or another app's),
`invalid_state` (the request has ended), `bad_frame` (too many browsers for one customer),
`not_found` (no such subscription).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from tapline.errors import ActionError
from tapline.lib import push
from tapline.lib.runtime import Runtime
from tapline.store.models import App, PushSubscription, Request, new_id

UNKNOWN = "Unknown request or wrong token."


@dataclass(frozen=True)
class Subscribed:
    id: str
    rings_for: str
    """`customer` (verified: any of their requests) or `request`."""
    created: bool
    """False when this endpoint was known already (it was updated)."""


async def subscribe(
    rt: Runtime, app: App, request_id: str, checked: push.Checked, open_url: str
) -> Subscribed:
    """Ring this browser for the request (for every request of a verified customer)."""
    limit = rt.settings.push_subscriptions_max
    async with rt.sessions() as session, session.begin():
        owner = await session.get(Request, request_id)
        if owner is None or owner.app_id != app.id:
            raise ActionError("not_allowed", UNKNOWN)
        if owner.state in push.ENDED:
            raise ActionError("invalid_state", "This request has ended.")
        mine = (
            PushSubscription.customer_key == owner.customer_key
            if owner.customer_key
            else PushSubscription.request_id == owner.id
        )
        count = await session.scalar(
            select(func.count())
            .select_from(PushSubscription)
            .where(PushSubscription.app_id == app.id, mine)
            .where(PushSubscription.endpoint != checked.endpoint)
        )
        if (count or 0) >= limit:
            raise ActionError(
                "bad_frame",
                f"This customer already has {limit} browsers set to ring, the most allowed. "
                "Turn notifications off on one of them first.",
            )
        row = await session.scalar(
            select(PushSubscription).where(PushSubscription.endpoint == checked.endpoint)
        )
        created = row is None
        if row is None:
            row = PushSubscription(id=new_id("ps"), endpoint=checked.endpoint)
            session.add(row)
        row.app_id = app.id
        row.request_id = owner.id
        row.customer_key = owner.customer_key
        row.p256dh, row.auth, row.open_url = checked.p256dh, checked.auth, open_url
        rings_for = "customer" if owner.customer_key else "request"
        return Subscribed(row.id, rings_for, created)


async def unsubscribe(rt: Runtime, app: App, request_id: str, endpoint: str) -> None:
    """Stop ringing this browser (the customer turned notifications off)."""
    async with rt.sessions() as session, session.begin():
        owner = await session.get(Request, request_id)
        if owner is None or owner.app_id != app.id:
            raise ActionError("not_allowed", UNKNOWN)
        row = await session.scalar(
            select(PushSubscription).where(
                PushSubscription.endpoint == endpoint,
                PushSubscription.app_id == app.id,
                push.owned_by(owner),
            )
        )
        if row is None:
            raise ActionError("not_found", "No such subscription for this customer.")
        await session.delete(row)
