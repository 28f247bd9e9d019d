"""Supervisors manage specialists (create, skills, authority, capacity, deactivate and
reactivate) and their shifts.

Mounted under `admin.router`; same rules for who may and for errors (see there).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from tapline.actions import staff
from tapline.errors import ActionError
from tapline.lib.desk_sessions import SignedIn
from tapline.lib.schemas import ShiftIn, ShiftPatch, SpecialistCreate, SpecialistPatch, problems
from tapline.lib.views import ms, shift_view, specialist_config
from tapline.store.models import Shift, Specialist
from tapline.web.api.supervisors import refused, rt_of, supervisor
from tapline.web.strict_http import StrictRoute

router = APIRouter(
    tags=["supervisor"],
    route_class=StrictRoute,
    responses=problems(
        {
            401: "Not signed in to the desk",
            403: "Not a supervisor, or a cross-site call",
            404: "No such specialist or shift",
        }
    ),
)


Supervisor = Depends(supervisor)


def specialist_out(row: Specialist) -> dict[str, Any]:
    return {**specialist_config(row), "deactivated_at": ms(row.deactivated_at)}


@router.get("/admin/specialists")
async def list_specialists(
    request: Request, deactivated: bool = False, _: SignedIn = Supervisor
) -> dict[str, Any]:
    """The active specialists by name; with `deactivated=true`, the deactivated ones too
    (last, by name)."""
    query = select(Specialist).order_by(
        Specialist.deactivated_at.is_not(None), Specialist.name, Specialist.id
    )
    if not deactivated:
        query = query.where(Specialist.deactivated_at.is_(None))
    async with rt_of(request).sessions() as session:
        return {"specialists": [specialist_out(row) for row in await session.scalars(query)]}


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
    return specialist_out(row)


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
    return specialist_out(row)


@router.post(
    "/admin/specialists/{specialist_id}/deactivate",
    responses={409: {"description": "Yourself, or the last active supervisor"}},
)
async def deactivate_specialist(
    request: Request, specialist_id: str, signed_in: SignedIn = Supervisor
) -> dict[str, Any]:
    """They leave: kept for their history, but signed out everywhere (their desks close
    with 4401), refused at sign-in, and no longer routed to: a pending offer goes to
    someone else, their connected chats go back to the front of the line (each customer
    told), their shifts stop counting in the staffing plan. Repeating it changes nothing."""
    try:
        row = await staff.deactivate_specialist(
            rt_of(request), specialist_id, by=signed_in.specialist.id
        )
    except ActionError as error:
        raise refused(error) from error
    return specialist_out(row)


@router.post("/admin/specialists/{specialist_id}/reactivate")
async def reactivate_specialist(
    request: Request, specialist_id: str, _: SignedIn = Supervisor
) -> dict[str, Any]:
    """Back with their settings and password: they can sign in, and are routed (offline
    until their desk connects); their shifts count again."""
    try:
        row = await staff.reactivate_specialist(rt_of(request), specialist_id)
    except ActionError as error:
        raise refused(error) from error
    return specialist_out(row)


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
