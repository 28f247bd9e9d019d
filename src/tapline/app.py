"""The ASGI application: FastAPI on uvicorn, driving the engine with real time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from tapline import (
    __version__,
    api_admin,
    api_desk,
    api_push,
    api_sdk,
    pages,
    push,
    socket_customer,
    socket_specialist,
    waits,
)
from tapline.actions.startup import rebuild, restore, tick_forever
from tapline.database import make_engine, make_sessionmaker
from tapline.engine import Clock, SystemClock
from tapline.migrate import upgrade
from tapline.runtime import Runtime
from tapline.security import AppCors, SecurityHeaders
from tapline.settings import Settings
from tapline.socket_specialist import schedule_drop
from tapline.wallboard import publish_forever

STATIC = pages.STATIC


def create_app(settings: Settings, clock: Clock | None = None, migrate: bool = True) -> FastAPI:
    settings.secret()  # made once, before anything needs it
    db = make_engine(settings.db_url, settings.database_schema)
    rt = Runtime(
        settings=settings, db=db, sessions=make_sessionmaker(db), clock=clock or SystemClock()
    )

    rt.writer.rebuild = lambda: rebuild(rt)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if migrate:
            await upgrade(db)
        for specialist_id in await restore(rt):
            schedule_drop(rt, specialist_id)
        tasks = [
            asyncio.create_task(tick_forever(rt)),
            asyncio.create_task(publish_forever(rt)),
            asyncio.create_task(waits.push_forever(rt)),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await rt.writer.close()
            await push.stop()  # pushes under way may be about to delete a subscription
            await db.dispose()

    app = FastAPI(
        title="tapline",
        version=__version__,
        summary="A specialist one tap away, inside any app.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # the stock docs page loads from a CDN; nothing may
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.rt = rt
    for router in (
        api_admin.router,
        api_sdk.router,
        api_push.router,
        api_desk.router,
        socket_customer.router,
        socket_specialist.router,
        pages.router,
    ):
        app.include_router(router)
    app.mount("/sdk", StaticFiles(directory=STATIC / "sdk"), name="sdk")
    app.mount("/desk/assets", StaticFiles(directory=STATIC / "desk"), name="desk")
    app.mount("/demo/assets", StaticFiles(directory=STATIC / "demo"), name="demo")
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(AppCors, rt=rt)
    app.add_middleware(SecurityHeaders)
    return app
