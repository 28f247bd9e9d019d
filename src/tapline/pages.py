"""Pages and files: the desk, the demo, the SDK, and the health check."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy import text

from tapline import __version__
from tapline.identity import sign_customer
from tapline.models import App
from tapline.runtime import Runtime
from tapline.schemas import Health

STATIC = Path(__file__).parent / "static"
DEMO_APP_ID = "a_skyway"
DEMO_TRAVELLER = {"sub": "traveller-sam", "name": "Sam Rivera", "email": "sam.rivera@example.com"}

router = APIRouter()


def _page(folder: str) -> FileResponse:
    return FileResponse(STATIC / folder / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    return RedirectResponse("/demo")


@router.get("/desk", include_in_schema=False)
async def desk() -> FileResponse:
    return _page("desk")


@router.get("/desk/wallboard", include_in_schema=False)
async def wallboard_page() -> FileResponse:
    return _page("desk")


@router.get("/desk/configure", include_in_schema=False)
@router.get("/desk/configure/{tab}", include_in_schema=False)
async def configure_page(tab: str = "") -> FileResponse:
    return _page("desk")


@router.get("/demo", include_in_schema=False)
async def demo(request: Request) -> FileResponse:
    if not request.app.state.rt.settings.demo:
        raise HTTPException(404, "The demo is not enabled on this server.")
    return _page("demo")


@router.get("/demo/api/session", include_in_schema=False)
async def demo_session(request: Request) -> dict[str, object]:
    """What the demo airline's backend does: sign its traveller's identity for tapline."""
    rt: Runtime = request.app.state.rt
    if not rt.settings.demo:
        raise HTTPException(404, "The demo is not enabled on this server.")
    async with rt.sessions() as session:
        app = await session.get(App, DEMO_APP_ID)
    if app is None:
        raise HTTPException(404, "The demo app is not set up: run `tapline demo`.")
    token = sign_customer(
        app.secret,
        DEMO_TRAVELLER["sub"],
        DEMO_TRAVELLER["name"],
        DEMO_TRAVELLER["email"],
        int(time.time()) + 3600,
    )
    user = {
        "id": DEMO_TRAVELLER["sub"],
        "name": DEMO_TRAVELLER["name"],
        "email": DEMO_TRAVELLER["email"],
        "token": token,
    }
    return {"app": app.public_key, "user": user}


class Unhealthy(BaseModel):
    status: str = "unavailable"
    down: dict[str, str]
    """What is down (`database`, `writer`, `bus`) and why, with no secrets."""
    version: str


@router.get(
    "/healthz",
    response_model=Health,
    tags=["operations"],
    responses={503: {"model": Unhealthy, "description": "Something this node needs is down"}},
)
async def healthz(request: Request) -> Health | JSONResponse:
    """Alive, the database answers and writes are being kept; else 503 naming what is down."""
    rt: Runtime = request.app.state.rt
    down: dict[str, str] = {}
    try:
        async with asyncio.timeout(5.0), rt.sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception as error:  # any failure to answer is "down"; the kind says which
        down["database"] = type(error).__name__
    if rt.writer.down is not None:
        down["writer"] = rt.writer.down
    if not rt.bus.healthy:
        down["bus"] = "the bus cannot reach Redis"
    if not down:
        role = None if rt.node is None else str(rt.node.status()["role"])
        return Health(status="ok", database=rt.db.dialect.name, version=__version__, role=role)
    body = Unhealthy(down=down, version=__version__)
    return JSONResponse(body.model_dump(), status_code=503)
