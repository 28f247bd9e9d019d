"""The desk's REST API: sign in and out, and the snapshot the desk starts from."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from tapline.actions import presence, thread
from tapline.actions.account import change_password, close_session, open_session
from tapline.actions.tell import callback_wire
from tapline.engine import UnknownSpecialist
from tapline.lib import views
from tapline.lib.desk_sessions import SignedIn, may_sign_in
from tapline.lib.passwords import MIN_PASSWORD, hash_password, verify_password
from tapline.lib.runtime import Runtime
from tapline.lib.schemas import (
    DeskState,
    Limits,
    Problem,
    QueueOut,
    SignIn,
    SpecialistOut,
    problems,
)
from tapline.lib.schemas import SignedIn as SignedInOut
from tapline.store.models import Message, Offer, Queue, Specialist, utcnow
from tapline.store.models import Request as HelpRequest
from tapline.store.streams import last_seq, specialist_stream
from tapline.web.api.sdk import unprocessable
from tapline.web.desk_auth import clear_cookie, desk_user, same_origin, set_cookie
from tapline.web.security import client_address
from tapline.web.strict_http import StrictRoute

RECENT = timedelta(hours=1)  # ended requests the snapshot still shows, for their outcome
RECENT_COUNT = 10

router = APIRouter(prefix="/api/v1/desk", tags=["desk"], route_class=StrictRoute)

SIGNED_OUT = {401: "Not signed in, or the session has ended"}
WRITE_REFUSED = {403: "Another origin, or a missing or wrong X-CSRF-Token"}
SLOW_DOWN = {
    429: {
        "description": "Too many failed attempts: try again after Retry-After seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds"}},
    }
}


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


def _slow_down(rt: Runtime, account: str, address: str) -> None:
    wait = rt.signins.retry_after(account, address)
    if wait:
        raise HTTPException(
            429,
            f"Too many sign-in attempts. Try again in {wait} s.",
            headers={"Retry-After": str(wait)},
        )


def specialist_out(rt: Runtime, row: Specialist) -> SpecialistOut:
    try:
        presence = str(rt.engine.specialist(row.id).presence)
    except UnknownSpecialist:
        presence = "offline"
    return SpecialistOut(
        id=row.id,
        name=row.name,
        email=row.email,
        role=row.role,
        presence=presence,
        capacity=row.capacity,
        is_supervisor=row.is_supervisor,
    )


@router.post(
    "/signin",
    response_model=SignedInOut,
    responses={
        **problems({401: "Wrong email or password", 403: "A sign-in from another site (Origin)"}),
        **{code: {**more, "model": Problem} for code, more in SLOW_DOWN.items()},
    },
)
async def signin(request: Request, body: SignIn, response: Response) -> SignedInOut:
    """Sign in. Failures slow down the account from that address, then the address, but
    a right password from an address that has not failed still gets in (docs/security.md)."""
    rt: Runtime = request.app.state.rt
    if not same_origin(rt, request.headers.get("origin"), request.headers.get("host")):
        raise HTTPException(403, "Cross-site sign-in refused.")
    address = client_address(request.scope, rt.settings)
    email = body.email.strip().lower()
    _slow_down(rt, email, address)
    async with rt.sessions() as session:
        row = await session.scalar(select(Specialist).where(func.lower(Specialist.email) == email))
    if not may_sign_in(row, body.password):
        rt.signins.failed(email, address)
        raise HTTPException(401, "Email or password is wrong.")
    rt.signins.succeeded(email, address)
    token, desk_session = await open_session(rt, row)
    set_cookie(rt, request, response, token)
    return SignedInOut(specialist=specialist_out(rt, row), csrf=desk_session.csrf)


@router.post("/signout", status_code=204, responses=problems({**SIGNED_OUT, **WRITE_REFUSED}))
async def signout(request: Request, signed_in: SignedIn = Depends(desk_user)) -> Response:
    rt: Runtime = request.app.state.rt
    await close_session(rt, signed_in.session)
    response = Response(status_code=204)
    clear_cookie(rt, request, response)
    return response


@router.post(
    "/password",
    status_code=204,
    responses={
        **problems({**SIGNED_OUT, **WRITE_REFUSED}),
        **{code: {**more, "model": Problem} for code, more in SLOW_DOWN.items()},
    },
)
async def password(
    request: Request, body: PasswordChange, signed_in: SignedIn = Depends(desk_user)
) -> Response:
    """Change one's own password. It takes the current one (a desk left open is not
    enough), and every other desk session of theirs ends: whoever else held one is out."""
    rt: Runtime = request.app.state.rt
    me = signed_in.specialist
    address = client_address(request.scope, rt.settings)
    # The same limits as signing in: an open desk is no oracle for guessing the password.
    _slow_down(rt, me.email.lower(), address)
    if not await asyncio.to_thread(verify_password, me.password_hash, body.current_password):
        rt.signins.failed(me.email.lower(), address)
        raise unprocessable(("body", "current_password"), "The current password is wrong.")
    if len(body.new_password) < MIN_PASSWORD:
        raise unprocessable(
            ("body", "new_password"), f"A password needs at least {MIN_PASSWORD} characters."
        )
    new_hash = await asyncio.to_thread(hash_password, body.new_password)
    await change_password(rt, signed_in, new_hash)
    return Response(status_code=204)


@router.get("/state", response_model=DeskState, responses=problems(SIGNED_OUT))
async def state(request: Request, signed_in: SignedIn = Depends(desk_user)) -> DeskState:
    """What the desk starts from. Each request and offer in it shows a customer's context:
    each is audit-logged (`tapline.audit`)."""
    rt: Runtime = request.app.state.rt
    me = signed_in.specialist
    async with rt.sessions() as session:
        seq = await last_seq(session, specialist_stream(me.id))
        mine = list(
            await session.scalars(
                select(HelpRequest)
                .where(HelpRequest.specialist_id == me.id, HelpRequest.state == "connected")
                .order_by(HelpRequest.connected_at)
            )
        )
        recent = list(
            await session.scalars(
                select(HelpRequest)
                .where(
                    HelpRequest.specialist_id == me.id,
                    HelpRequest.ended_at.is_not(None),
                    HelpRequest.ended_at > utcnow() - RECENT,
                )
                .order_by(HelpRequest.ended_at.desc())
                .limit(RECENT_COUNT)
            )
        )
        requests = [await _detail(rt, session, row) for row in [*mine, *reversed(recent)]]
        offers = await _offers(session, me.id, rt.settings.offer_timeout)
    address = client_address(request.scope, rt.settings)
    for shown, what in [
        *((item["id"], "desk.state") for item in requests),
        *((item["request_id"], "desk.state.offer") for item in offers),
    ]:
        views.audit_context(me.id, shown, what, session_id=signed_in.session.id, address=address)
    queues = [QueueOut(**item) for item in rt.queues_frame()["queues"]]  # type: ignore[attr-defined]
    return DeskState(
        specialist=specialist_out(rt, me),
        csrf=signed_in.session.csrf,
        seq=seq,
        requests=requests,
        offers=offers,
        queues=queues,
        limits=Limits(
            message_bytes=rt.settings.message_bytes, context_bytes=rt.settings.context_bytes
        ),
    )


async def _detail(rt: Runtime, session: Any, row: HelpRequest) -> dict[str, Any]:
    queue = await session.get(Queue, row.queue_id)
    messages = list(
        await session.scalars(
            select(Message).where(Message.request_id == row.id).order_by(Message.id)
        )
    )
    found = await thread.sources_of(session, row.id)
    here = presence.of(rt, row.id)
    return views.request_detail(row, queue, messages, callback_wire(rt, row.id), found, here)


async def _offers(session: Any, specialist_id: str, offer_timeout: float) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Offer, HelpRequest)
        .join(HelpRequest, HelpRequest.id == Offer.request_id)
        .where(
            Offer.specialist_id == specialist_id,
            Offer.outcome.is_(None),
            HelpRequest.state == "offered",
        )
    )
    result = []
    for offer, row in rows:
        queue = await session.get(Queue, row.queue_id)
        result.append(views.offer(row, queue, offer.expires_at, offer_timeout))
    return result
