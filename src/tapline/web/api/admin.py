"""Supervisors configure queues and routing rules, and see the wallboard.

Specialists and shifts are in `admin_staff` (mounted here); who may and how errors
look are in `supervisors`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from tapline.actions import config as actions
from tapline.errors import ActionError
from tapline.lib import wallboard
from tapline.lib.desk_sessions import SignedIn
from tapline.lib.schemas import QueueConfig, QueuePatch, RulesIn, problems
from tapline.lib.views import ms, queue_config
from tapline.store.models import Queue, RoutingRules
from tapline.web.api import admin_staff
from tapline.web.api.supervisors import refused, rt_of, supervisor
from tapline.web.strict_http import StrictRoute

router = APIRouter(
    prefix="/api/v1",
    tags=["supervisor"],
    route_class=StrictRoute,
    responses=problems(
        {
            401: "Not signed in to the desk",
            403: "Not a supervisor, or a cross-site call",
            404: "No such queue",
        }
    ),
)


def queue_out(row: Queue) -> dict[str, Any]:
    return {**queue_config(row), "archived_at": ms(row.archived_at)}


@router.get("/wallboard")
async def get_wallboard(request: Request, _: SignedIn = Depends(supervisor)) -> dict[str, Any]:
    """Per queue: waiting, oldest wait, specialists by state, callbacks due, today's service."""
    return await wallboard.build(rt_of(request))


# -- Queues ---------------------------------------------------------------------------------


@router.get("/admin/queues")
async def list_queues(
    request: Request, archived: bool = False, _: SignedIn = Depends(supervisor)
) -> dict[str, Any]:
    """The queues in use; with `archived=true`, the archived ones too (last)."""
    query = select(Queue).order_by(Queue.archived_at.is_not(None), Queue.created_at, Queue.id)
    if not archived:
        query = query.where(Queue.archived_at.is_(None))
    async with rt_of(request).sessions() as session:
        return {"queues": [queue_out(row) for row in await session.scalars(query)]}


@router.post("/admin/queues", status_code=201)
async def create_queue(
    request: Request, body: QueueConfig, _: SignedIn = Depends(supervisor)
) -> dict[str, Any]:
    try:
        row = await actions.save_queue(rt_of(request), None, body.model_dump(exclude_unset=True))
    except ActionError as error:
        raise refused(error) from error
    return queue_out(row)


@router.patch("/admin/queues/{queue_id}")
async def update_queue(
    request: Request, queue_id: str, body: QueuePatch, _: SignedIn = Depends(supervisor)
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    try:
        return queue_out(await actions.save_queue(rt_of(request), queue_id, changes))
    except ActionError as error:
        raise refused(error) from error


@router.delete("/admin/queues/{queue_id}")
async def delete_queue(
    request: Request, queue_id: str, _: SignedIn = Depends(supervisor)
) -> dict[str, Any]:
    """`{"id", "outcome": "deleted"}` when nothing ever used it, else `"archived"` (kept
    for its requests' history, out of every list). `409` while requests are not finished
    there, callbacks are open, the rules name it, a queue falls back on it, or it is the
    last queue."""
    try:
        outcome = await actions.archive_queue(rt_of(request), queue_id)
    except ActionError as error:
        raise refused(error) from error
    return {"id": queue_id, "outcome": outcome}


@router.post("/admin/queues/{queue_id}/restore")
async def restore_queue(
    request: Request, queue_id: str, _: SignedIn = Depends(supervisor)
) -> dict[str, Any]:
    try:
        return queue_out(await actions.restore_queue(rt_of(request), queue_id))
    except ActionError as error:
        raise refused(error) from error


# -- Rules ----------------------------------------------------------------------------------


@router.get("/admin/rules")
async def get_rules(request: Request, _: SignedIn = Depends(supervisor)) -> dict[str, Any]:
    async with rt_of(request).sessions() as session:
        row = await session.scalar(select(RoutingRules).order_by(RoutingRules.id.desc()))
    return {"toml": row.toml if row else "", "updated_at": ms(row.updated_at) if row else None}


@router.put("/admin/rules", response_model=None)
async def put_rules(
    request: Request, body: RulesIn, signed_in: SignedIn = Depends(supervisor)
) -> dict[str, Any] | JSONResponse:
    """Refused whole when any rule is invalid, with each error's line."""
    errors = await actions.save_rules(rt_of(request), body.toml, signed_in.specialist.id)
    if errors:
        return JSONResponse({"errors": errors}, status_code=422)
    return {"toml": body.toml}


router.include_router(admin_staff.router)
