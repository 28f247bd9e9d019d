"""What the widget's HTTP modules share: which app is calling, and the customer's token."""

from __future__ import annotations

from fastapi import HTTPException, Request
from sqlalchemy import select

from tapline.lib.passwords import customer_token_expired, customer_token_ok
from tapline.lib.runtime import Runtime
from tapline.store.models import App
from tapline.store.models import Request as HelpRequest
from tapline.web.security import find_app, origin_allowed


async def calling_app(request: Request, key: str | None) -> App:
    """The app whose public key this is, called from one of its origins; else 403."""
    rt: Runtime = request.app.state.rt
    app = await find_app(rt, key)
    if app is None:
        raise HTTPException(403, "Unknown app key.")
    origin = request.headers.get("origin")
    if not origin_allowed(app, origin):
        raise HTTPException(403, f"Origin {origin} is not allowed for this app.")
    return app


async def require_customer_token(rt: Runtime, request_id: str, authorization: str | None) -> None:
    """The bearer token is this request's customer token, and not expired; else 401."""
    token = (authorization or "").removeprefix("Bearer ").strip()
    if not customer_token_ok(rt.settings.secret(), request_id, token):
        raise HTTPException(401, "Unknown request or wrong token.")
    async with rt.sessions() as session:
        ended_at = await session.scalar(
            select(HelpRequest.ended_at).where(HelpRequest.id == request_id)
        )
    if customer_token_expired(ended_at, rt.settings.customer_token_days):
        raise HTTPException(401, "This request ended long ago: its token has expired.")
