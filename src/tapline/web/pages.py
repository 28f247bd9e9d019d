"""Pages and files: the desk, the static files every page loads, and the health check.

The demo's pages are the demo's (`tapline.demo.pages`), added only when it is served.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from tapline import __version__
from tapline.lib.runtime import Runtime
from tapline.lib.schemas import Health

STATIC = Path(__file__).parent.parent / "static"
"""`tapline/static`: the desk, the demo and the SDK files."""

router = APIRouter()


def page(folder: str) -> FileResponse:
    """A folder's `index.html`, which the browser checks again every time (`no-cache`)."""
    return FileResponse(STATIC / folder / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/desk", include_in_schema=False)
async def desk() -> FileResponse:
    return page("desk")


@router.get("/desk/wallboard", include_in_schema=False)
async def wallboard_page() -> FileResponse:
    return page("desk")


@router.get("/desk/configure", include_in_schema=False)
@router.get("/desk/configure/{tab}", include_in_schema=False)
async def configure_page(tab: str = "") -> FileResponse:
    return page("desk")


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
