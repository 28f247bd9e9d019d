"""Supervisors configure queues, specialists, routing rules and shifts; and see the wallboard."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select

from tapline import wallboard
from tapline.actions import ActionError
from tapline.actions import config as actions
from tapline.desk_auth import SignedIn, desk_user
from tapline.models import Queue, RoutingRules, Shift, Specialist
from tapline.runtime import Runtime
from tapline.schemas import QueueConfig, QueuePatch, RulesIn, ShiftIn, SpecialistPatch
from tapline.views import ms, queue_config, shift_view, specialist_config

router = APIRouter(prefix="/api/v1", tags=["supervisor"])


async def supervisor(signed_in: SignedIn = Depends(desk_user)) -> SignedIn:
    if not signed_in.specialist.is_supervisor:
        raise HTTPException(403, "Supervisors only.")
    return signed_in


def _rt(request: Request) -> Runtime:
    rt: Runtime = request.app.state.rt
    return rt


def _refused(error: ActionError) -> HTTPException:
    status = 404 if error.code == "not_found" else 422
    return HTTPException(status, error.message)


@router.get("/wallboard")
async def get_wallboard(request: Request, _: SignedIn = Depends(supervisor)) -> dict[str, Any]:
    """Per queue: waiting, oldest wait, specialists by state, callbacks due, today's service."""
    return await wallboard.build(_rt(request))


@router.get("/admin/queues")
async def list_queues(request: Request, _: SignedIn = Depends(supervisor)) -> dict[str, Any]:
    async with _rt(request).sessions() as session:
        rows = await session.scalars(select(Queue).order_by(Queue.created_at))
        return {"queues": [queue_config(row) for row in rows]}


@router.post("/admin/queues", status_code=201)
async def create_queue(
    request: Request, body: QueueConfig, _: SignedIn = Depends(supervisor)
) -> dict[str, Any]:
    try:
        return queue_config(await actions.save_queue(_rt(request), None, body.model_dump()))
    except ActionError as error:
        raise _refused(error) from error


@router.patch("/admin/queues/{queue_id}")
async def update_queue(
    request: Request, queue_id: str, body: QueuePatch, _: SignedIn = Depends(supervisor)
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    try:
        return queue_config(await actions.save_queue(_rt(request), queue_id, changes))
    except ActionError as error:
        raise _refused(error) from error


@router.get("/admin/specialists")
async def list_specialists(request: Request, _: SignedIn = Depends(supervisor)) -> dict[str, Any]:
    async with _rt(request).sessions() as session:
        rows = await session.scalars(select(Specialist).order_by(Specialist.name))
        return {"specialists": [specialist_config(row) for row in rows]}


@router.patch("/admin/specialists/{specialist_id}")
async def update_specialist(
    request: Request,
    specialist_id: str,
    body: SpecialistPatch,
    _: SignedIn = Depends(supervisor),
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    try:
        row = await actions.save_specialist(_rt(request), specialist_id, changes)
    except ActionError as error:
        raise _refused(error) from error
    return specialist_config(row)


@router.get("/admin/rules")
async def get_rules(request: Request, _: SignedIn = Depends(supervisor)) -> dict[str, Any]:
    async with _rt(request).sessions() as session:
        row = await session.scalar(select(RoutingRules).order_by(RoutingRules.id.desc()))
    return {"toml": row.toml if row else "", "updated_at": ms(row.updated_at) if row else None}


@router.put("/admin/rules", response_model=None)
async def put_rules(
    request: Request, body: RulesIn, signed_in: SignedIn = Depends(supervisor)
) -> dict[str, Any] | JSONResponse:
    """Refused whole when any rule is invalid, with each error's line."""
    errors = await actions.save_rules(_rt(request), body.toml, signed_in.specialist.id)
    if errors:
        return JSONResponse({"errors": errors}, status_code=422)
    return {"toml": body.toml}


@router.get("/admin/shifts")
async def list_shifts(
    request: Request, specialist_id: str | None = None, _: SignedIn = Depends(supervisor)
) -> dict[str, Any]:
    query = select(Shift).order_by(Shift.created_at)
    if specialist_id:
        query = query.where(Shift.specialist_id == specialist_id)
    async with _rt(request).sessions() as session:
        return {"shifts": [shift_view(row) for row in await session.scalars(query)]}


@router.post("/admin/shifts", status_code=201)
async def create_shift(
    request: Request, body: ShiftIn, _: SignedIn = Depends(supervisor)
) -> dict[str, Any]:
    try:
        return shift_view(await actions.add_shift(_rt(request), body.model_dump()))
    except ActionError as error:
        raise _refused(error) from error


@router.delete("/admin/shifts/{shift_id}", status_code=204)
async def delete_shift(
    request: Request, shift_id: str, _: SignedIn = Depends(supervisor)
) -> Response:
    try:
        await actions.delete_shift(_rt(request), shift_id)
    except ActionError as error:
        raise _refused(error) from error
    return Response(status_code=204)
