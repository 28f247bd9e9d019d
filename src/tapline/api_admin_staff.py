"""Supervisors manage specialists (create, skills, authority, capacity) and their shifts.

Mounted under `api_admin.router`; same rules for who may and for errors (see there).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from tapline.actions import ActionError, staff
from tapline.admin_http import refused, rt_of, supervisor
from tapline.desk_auth import SignedIn
from tapline.models import Shift, Specialist
from tapline.schemas import ShiftIn, ShiftPatch, SpecialistCreate, SpecialistPatch
from tapline.views import shift_view, specialist_config

router = APIRouter(tags=["supervisor"])


Supervisor = Depends(supervisor)


@router.get("/admin/specialists")
async def list_specialists(request: Request, _: SignedIn = Supervisor) -> dict[str, Any]:
    async with rt_of(request).sessions() as session:
        rows = await session.scalars(select(Specialist).order_by(Specialist.name))
        return {"specialists": [specialist_config(row) for row in rows]}


@router.post("/admin/specialists", status_code=201)
async def create_specialist(
    request: Request, body: SpecialistCreate, _: SignedIn = Supervisor
) -> dict[str, Any]:
    """A new specialist who can sign in at once and is routed by their skills, authority
    and capacity (offline until their desk connects). The password is never returned."""
    try:
        row = await staff.create_specialist(rt_of(request), body.model_dump())
    except ActionError as error:
        raise refused(error) from error
    return specialist_config(row)


@router.patch("/admin/specialists/{specialist_id}")
async def update_specialist(
    request: Request,
    specialist_id: str,
    body: SpecialistPatch,
    signed_in: SignedIn = Supervisor,
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    try:
        row = await staff.save_specialist(
            rt_of(request), specialist_id, changes, by=signed_in.specialist.id
        )
    except ActionError as error:
        raise refused(error) from error
    return specialist_config(row)


@router.get("/admin/shifts")
async def list_shifts(
    request: Request, specialist_id: str | None = None, _: SignedIn = Supervisor
) -> dict[str, Any]:
    query = select(Shift).order_by(Shift.created_at, Shift.id)
    if specialist_id:
        query = query.where(Shift.specialist_id == specialist_id)
    async with rt_of(request).sessions() as session:
        return {"shifts": [shift_view(row) for row in await session.scalars(query)]}


@router.post("/admin/shifts", status_code=201)
async def create_shift(request: Request, body: ShiftIn, _: SignedIn = Supervisor) -> dict[str, Any]:
    try:
        row = await staff.add_shift(rt_of(request), body.model_dump(exclude_unset=True))
    except ActionError as error:
        raise refused(error) from error
    return shift_view(row)


@router.patch("/admin/shifts/{shift_id}")
async def update_shift(
    request: Request, shift_id: str, body: ShiftPatch, _: SignedIn = Supervisor
) -> dict[str, Any]:
    try:
        row = await staff.save_shift(rt_of(request), shift_id, body.model_dump(exclude_unset=True))
    except ActionError as error:
        raise refused(error) from error
    return shift_view(row)


@router.delete("/admin/shifts/{shift_id}", status_code=204)
async def delete_shift(request: Request, shift_id: str, _: SignedIn = Supervisor) -> Response:
    try:
        await staff.delete_shift(rt_of(request), shift_id)
    except ActionError as error:
        raise refused(error) from error
    return Response(status_code=204)
