"""The desk's REST API: sign in and out, and the snapshot the desk starts from."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy import func, select

from tapline import views
from tapline.actions.effects import callback_wire
from tapline.desk_auth import (
    COOKIE,
    SignedIn,
    close_session,
    desk_user,
    may_sign_in,
    open_session,
    same_origin,
)
from tapline.engine import UnknownSpecialist
from tapline.models import Message, Offer, Queue, Specialist, utcnow
from tapline.models import Request as HelpRequest
from tapline.runtime import Runtime
from tapline.schemas import DeskState, Limits, QueueOut, SignIn, SpecialistOut
from tapline.schemas import SignedIn as SignedInOut
from tapline.streams import last_seq, specialist_stream

RECENT = timedelta(hours=1)  # ended requests the snapshot still shows, for their outcome
RECENT_COUNT = 10

router = APIRouter(prefix="/api/v1/desk", tags=["desk"])


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
        401: {"description": "Wrong email or password"},
        429: {"description": "Too many failed attempts"},
    },
)
async def signin(request: Request, body: SignIn, response: Response) -> SignedInOut:
    rt: Runtime = request.app.state.rt
    if not same_origin(rt, request.headers.get("origin"), request.headers.get("host")):
        raise HTTPException(403, "Cross-site sign-in refused.")
    ip = request.client.host if request.client else "unknown"
    email = body.email.strip().lower()
    keys = (f"ip:{ip}", f"account:{email}")
    wait = rt.signins.retry_after(*keys)
    if wait:
        raise HTTPException(
            429,
            f"Too many sign-in attempts. Try again in {wait} s.",
            headers={"Retry-After": str(wait)},
        )
    async with rt.sessions() as session:
        row = await session.scalar(select(Specialist).where(func.lower(Specialist.email) == email))
    if not may_sign_in(row, body.password):
        rt.signins.failed(*keys)
        raise HTTPException(401, "Email or password is wrong.")
    rt.signins.succeeded(keys[1])
    token, desk_session = await open_session(rt, row)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        path="/",
        secure=request.url.scheme == "https",
        max_age=int(rt.settings.session_hours * 3600),
    )
    return SignedInOut(specialist=specialist_out(rt, row), csrf=desk_session.csrf)


@router.post("/signout", status_code=204)
async def signout(request: Request, signed_in: SignedIn = Depends(desk_user)) -> Response:
    await close_session(request.app.state.rt, signed_in.session)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/state", response_model=DeskState)
async def state(request: Request, signed_in: SignedIn = Depends(desk_user)) -> DeskState:
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
    return views.request_detail(row, queue, messages, callback_wire(rt, row.id))


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
