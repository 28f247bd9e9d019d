"""Rebuild the engine from the database (the truth) and keep its clock ticking."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select, update

from tapline.actions import transaction
from tapline.actions.effects import apply
from tapline.engine import RequestState
from tapline.models import Offer, Queue, Request, Specialist
from tapline.runtime import Runtime

log = logging.getLogger("tapline.engine")

LIVE = [
    str(RequestState.NEW),
    str(RequestState.WAITING),
    str(RequestState.OFFERED),
    str(RequestState.CONNECTED),
]


async def restore(rt: Runtime) -> set[str]:
    """Queues, specialists (offline until their desk connects) and unfinished requests.

    Returns the specialists who hold connected requests: they get the grace time to return.
    """
    holding: set[str] = set()
    async with transaction(rt) as tx:
        for queue in await tx.session.scalars(select(Queue).order_by(Queue.created_at)):
            rt.engine.add_queue(queue.id, queue.skill)
            rt.queue_names[queue.id] = queue.name
        for specialist in await tx.session.scalars(select(Specialist)):
            rt.engine.set_specialist(
                specialist.id, skills=dict(specialist.skills), capacity=specialist.capacity
            )
        rows = await tx.session.scalars(
            select(Request).where(Request.state.in_(LIVE)).order_by(Request.enqueued_at)
        )
        for row in rows:
            state = RequestState(row.state)
            if state in (RequestState.NEW, RequestState.OFFERED):
                state = RequestState.WAITING  # an offer does not survive a restart
            rt.engine.restore_request(
                row.id,
                row.queue_id,
                state,
                enqueued_at=row.enqueued_at,
                specialist_id=row.specialist_id if state is RequestState.CONNECTED else None,
            )
            if state is RequestState.CONNECTED and row.specialist_id:
                holding.add(row.specialist_id)
            if row.state != str(state):
                row.state = str(state)
            # Every customer starts away after a restart; their socket coming back stops it.
            await apply(tx, rt.engine.customer_left(row.id))
        # Offers made before the restart are void; routing makes new ones.
        await tx.session.execute(
            update(Offer).where(Offer.outcome.is_(None)).values(outcome="restart")
        )
        await apply(tx, rt.engine.route())
        rt.queue_counts.update(rt.engine.queues())
    return holding


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
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("engine tick failed; retrying")
            await asyncio.sleep(1)
