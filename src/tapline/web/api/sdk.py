"""The widget's REST API: configuration, and asking for help."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from sqlalchemy import select

from tapline.actions.customer import (
    BadField,
    caller_key,
    create_request,
    customer_key,
    shown_state,
)
from tapline.actions.tell import callback_wire
from tapline.errors import ActionError
from tapline.lib import sanitize, waits
from tapline.lib.identity import verify_customer
from tapline.lib.passwords import customer_token, customer_token_expired
from tapline.lib.runtime import Runtime
from tapline.lib.schemas import (
    AppInfo,
    Limits,
    Problem,
    RequestCreate,
    RequestCreated,
    SdkConfig,
    UserIn,
    problems,
)
from tapline.store.models import App, Queue
from tapline.store.models import Request as HelpRequest
from tapline.web.api.widget import calling_app, require_customer_token
from tapline.web.limits import abuse_limits
from tapline.web.security import client_address
from tapline.web.strict_http import StrictRoute

router = APIRouter(prefix="/api/v1", tags=["sdk"], route_class=StrictRoute)
LIVE_STATES = ("new", "scheduled", "waiting", "offered", "connected")
DEVICE = r"^[A-Za-z0-9_-]{22,128}$"


APP_REFUSED = {403: "Unknown app key, or an origin the app does not allow"}
TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {
        "model": Problem,
        "description": "Too many new requests from this customer (or device) or this address "
        "in the last hour: try again after Retry-After seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds"}},
    }
}


def unprocessable(loc: tuple[str, ...], message: str) -> HTTPException:
    """A 422 in FastAPI's own shape (a list of `loc`, `msg`, `type`), as OpenAPI says."""
    return HTTPException(422, [{"loc": list(loc), "msg": message, "type": "value_error"}])


@router.get("/sdk/config", response_model=SdkConfig, responses=problems(APP_REFUSED))
async def sdk_config(
    request: Request,
    app: str | None = Query(None, description="The app's public key"),
    x_tapline_app: str | None = Header(None),
) -> SdkConfig:
    """What the widget needs to start: the app's name and the limits it must respect."""
    row = await calling_app(request, app or x_tapline_app)
    settings = request.app.state.rt.settings
    return SdkConfig(
        app=AppInfo(name=row.name),
        limits=Limits(message_bytes=settings.message_bytes, context_bytes=settings.context_bytes),
    )


@router.post(
    "/requests",
    response_model=RequestCreated,
    status_code=201,
    responses={
        200: {
            "model": RequestCreated,
            "description": "The same caller sent this client id before: the same request",
        },
        **problems(
            {
                **APP_REFUSED,
                409: "This caller's client id belongs to a request whose token has expired",
                413: "Context over the limit",
                503: "No queue is set up yet to take requests",
            }
        ),
        **TOO_MANY,
    },
)
async def post_request(
    request: Request,
    body: RequestCreate,
    response: Response,
    app: str | None = Query(None, description="The app's public key"),
    x_tapline_app: str | None = Header(None),
    x_tapline_device: str | None = Header(
        None,
        pattern=DEVICE,
        description="A random secret the SDK made once and keeps on this device: the same "
        "`id` finds the same request only for the same device (or verified customer).",
    ),
) -> RequestCreated:
    """Ask for help. Idempotent on the client-made `id` for the same caller: the verified
    customer, else the device secret. Another caller's `id` never finds this request.
    New requests are limited per caller and per client address an hour (`429`)."""
    row_app = await calling_app(request, app or x_tapline_app)
    rt: Runtime = request.app.state.rt
    counted = await _count_new_request(request, rt, row_app, body, x_tapline_device)
    limits = abuse_limits(request.app).new_requests
    created = False
    try:
        row, created = await create_request(rt, row_app, body, x_tapline_device)
    except sanitize.TooLarge as error:
        raise HTTPException(413, str(error)) from error
    except BadField as error:
        raise unprocessable(error.loc, str(error)) from error
    except ActionError as error:
        raise HTTPException(503, error.message) from error
    finally:
        if not created:  # refused, or the caller's earlier request: nothing new was made
            limits.give_back(counted)
    if not created:
        if customer_token_expired(row.ended_at, rt.settings.customer_token_days):
            raise HTTPException(409, "That id was used for a request that ended long ago.")
        response.status_code = 200
    async with rt.sessions() as session:
        queue = await session.get(Queue, row.queue_id)
    shown = waits.refresh(rt, row.id, force=False) if row.state in ("waiting", "offered") else None
    return RequestCreated(
        request_id=row.id,
        customer_token=customer_token(rt.settings.secret(), row.id),
        state=shown_state(row.state),
        verified=bool(row.customer.get("verified")),
        estimate=shown,
        options=waits.options(rt, row, queue),
        queue={"id": queue.id, "name": queue.name} if queue else None,
    )


async def _count_new_request(
    request: Request, rt: Runtime, app: App, body: RequestCreate, device: str | None
) -> dict[str, str]:
    """Count a new request for its caller (verified customer, else device) and client
    address, and return what was counted; `429` when either has had its hour's worth. A
    repeat of the caller's earlier create is not new: it passes, counted for nothing."""
    keys = {"address": client_address(request.scope, rt.settings)}
    caller = caller_key(app.id, verify_customer(app.secret, body.user), device)
    if caller is not None:
        keys["customer"] = caller
    limits = abuse_limits(request.app).new_requests
    refused = limits.take(keys)
    if refused is None:
        return keys
    if caller is not None:
        async with rt.sessions() as session:
            earlier = await session.scalar(
                select(HelpRequest.id).where(
                    HelpRequest.app_id == app.id,
                    HelpRequest.caller == caller,
                    HelpRequest.client_id == body.id,
                )
            )
        if earlier is not None:
            return {}
    kind, wait = refused
    who = "from you" if kind == "customer" else "from your network address"
    raise HTTPException(
        429,
        f"Too many new requests for help {who}: at most {limits.limits[kind]} an hour. "
        f"Try again in {_minutes(wait)}.",
        headers={"Retry-After": str(wait)},
    )


def _minutes(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return "1 minute" if minutes <= 1 else f"{minutes} minutes"


@router.get(
    "/slots",
    responses=problems(
        {**APP_REFUSED, 401: "Unknown request, a wrong customer token, or one that has expired"}
    ),
)
async def slots(
    request: Request,
    request_id: str,
    app: str | None = Query(None, description="The app's public key"),
    x_tapline_app: str | None = Header(None),
    authorization: str | None = Header(None),
) -> dict[str, Any]:
    """15-minute slots over the coming days that still have room for a callback."""
    row_app = await calling_app(request, app or x_tapline_app)
    rt: Runtime = request.app.state.rt
    await require_customer_token(rt, request_id, authorization)
    async with rt.sessions() as session:
        row = await session.get(HelpRequest, request_id)
        queue = await session.get(Queue, row.queue_id) if row is not None else None
    if row is None or queue is None or row.app_id != row_app.id:
        raise HTTPException(401, "Unknown request or wrong token.")
    if customer_token_expired(row.ended_at, rt.settings.customer_token_days):
        raise HTTPException(401, "This request ended long ago: its token has expired.")
    book = rt.slot_books.get(queue.id)
    found = book.slots(rt.clock.now()) if book is not None else []
    return {
        "tz": queue.timezone,
        "slots": [
            {"start": int(s.start * 1000), "end": int(s.end * 1000), "left": s.free} for s in found
        ],
    }


@router.get(
    "/customers/requests",
    responses=problems({**APP_REFUSED, 401: "No valid user token signed by the app"}),
)
async def customer_requests(
    request: Request,
    app: str | None = Query(None, description="The app's public key"),
    x_tapline_app: str | None = Header(None),
    authorization: str | None = Header(None),
) -> dict[str, Any]:
    """A verified customer's live requests, so another tab or device can resume them."""
    row_app = await calling_app(request, app or x_tapline_app)
    rt: Runtime = request.app.state.rt
    token = (authorization or "").removeprefix("Bearer ").strip()
    customer = verify_customer(row_app.secret, UserIn(token=token or None))
    key = customer_key(row_app.id, customer)
    if key is None:
        raise HTTPException(401, "A valid user token signed by the app is needed.")
    async with rt.sessions() as session:
        rows = await session.scalars(
            select(HelpRequest)
            .where(HelpRequest.customer_key == key, HelpRequest.state.in_(LIVE_STATES))
            .order_by(HelpRequest.created_at)
        )
        return {
            "requests": [
                {
                    "request_id": row.id,
                    "customer_token": customer_token(rt.settings.secret(), row.id),
                    "state": shown_state(row.state),
                    "callback": callback_wire(rt, row.id),
                }
                for row in rows
            ]
        }
