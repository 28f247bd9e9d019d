"""The demo's pages: SkyWay at `/demo` (and `/`), its files, and its backend's one call.

`install` adds them to an app; the `tapline` command does it when the demo is on. They also
answer only while the server's `demo` setting is on.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from tapline.demo.seed import DEMO_APP_ID
from tapline.lib.identity import sign_customer
from tapline.lib.runtime import Runtime
from tapline.store.models import App
from tapline.web.pages import STATIC, page

DEMO_TRAVELLER = {"sub": "traveller-sam", "name": "Sam Rivera", "email": "sam.rivera@example.com"}

router = APIRouter()


def install(app: FastAPI) -> None:
    """Serve the demo from `app`: its pages, its backend's call and its files."""
    app.include_router(router)
    app.mount("/demo/assets", StaticFiles(directory=STATIC / "demo"), name="demo")


def _demo_on(request: Request) -> Runtime:
    rt: Runtime = request.app.state.rt
    if not rt.settings.demo:
        raise HTTPException(404, "The demo is not enabled on this server.")
    return rt


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    return RedirectResponse("/demo")


@router.get("/demo", include_in_schema=False)
async def demo(request: Request) -> FileResponse:
    _demo_on(request)
    return page("demo")


@router.get("/demo/api/session", include_in_schema=False)
async def demo_session(request: Request) -> dict[str, object]:
    """What the demo airline's backend does: sign its traveller's identity for tapline."""
    rt = _demo_on(request)
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
