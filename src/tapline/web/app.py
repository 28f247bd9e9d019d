"""The ASGI application: FastAPI on uvicorn, driving the engine with real time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from tapline import __version__
from tapline.actions.attendance import expire_forever
from tapline.actions.desk import specialist_left
from tapline.actions.startup import rebuild, restore, tick_forever
from tapline.engine import Clock, SystemClock
from tapline.lib import push, waits
from tapline.lib.node import Node
from tapline.lib.runtime import Runtime
from tapline.lib.wallboard import publish_forever
from tapline.settings import Settings
from tapline.store.database import make_engine, make_sessionmaker
from tapline.store.migrate import upgrade
from tapline.store.redis_bus import RedisBus
from tapline.web import internal, pages
from tapline.web.api import admin as api_admin
from tapline.web.api import desk as api_desk
from tapline.web.api import protocol as api_protocol
from tapline.web.api import push as api_push
from tapline.web.api import sdk as api_sdk
from tapline.web.internal import ForwardToOwner
from tapline.web.limits import BodyLimit
from tapline.web.security import AppCors, SecurityHeaders
from tapline.web.sockets import customer as socket_customer
from tapline.web.sockets import specialist as socket_specialist

STATIC = pages.STATIC


class OwnerTasks:
    """What the node that owns the engine runs: the ticker, the wallboard, the estimates."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        rt = self.rt
        if rt.node is None:
            for specialist_id in await restore(rt):
                specialist_left(rt, specialist_id)
        else:
            await rebuild(rt)  # taking over: the engine as the database has it, and who is here
        self.tasks = [
            asyncio.create_task(tick_forever(rt)),
            asyncio.create_task(publish_forever(rt)),
            asyncio.create_task(waits.push_forever(rt)),
        ]
        if rt.node is not None:
            self.tasks.append(asyncio.create_task(expire_forever(rt)))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks = []
        if self.rt.node is not None:
            self.rt.reset_derived()  # another node owns it now; nothing here is current
            self.rt.attendance.remote.clear()


def create_app(
    settings: Settings,
    clock: Clock | None = None,
    migrate: bool = True,
    extend: Sequence[Callable[[FastAPI], None]] = (),
) -> FastAPI:
    """The app on this process's runtime. `extend` adds more to it, each given the app once
    its own routes are in: `tapline demo` adds the demo's pages (`tapline.demo.pages`)."""
    settings.secret()  # made once, before anything needs it
    db = make_engine(settings.db_url, settings.database_schema)
    rt = Runtime(
        settings=settings, db=db, sessions=make_sessionmaker(db), clock=clock or SystemClock()
    )

    rt.writer.rebuild = lambda: rebuild(rt)
    if settings.clustered:
        if db.dialect.name != "postgresql":
            raise ValueError("Several nodes share a PostgreSQL database: set TAPLINE_DATABASE_URL.")
        # One database, one set of channels: clusters sharing a Redis never hear each other.
        prefix = f"tapline:{settings.database_schema}:" if settings.database_schema else "tapline:"
        rt.bus = RedisBus(str(settings.redis_url), prefix=prefix)
    owner = OwnerTasks(rt)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if migrate:
            await upgrade(db)
        await rt.bus.start()
        node: Node | None = None
        if settings.clustered:
            node = Node(rt, owner.start, owner.stop)
            rt.node = node
            rt.writer.standby = "another node owns the engine"
            rt.writer.probe = node.lost
            await node.start()
        else:
            await owner.start()
        try:
            yield
        finally:
            if node is not None:
                await node.stop()
            else:
                await owner.stop()
            await rt.writer.close()
            await push.stop()  # pushes under way may be about to delete a subscription
            await rt.bus.close()
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
        api_protocol.router,
        socket_customer.router,
        socket_specialist.router,
        pages.router,
        internal.router,
    ):
        app.include_router(router)
    app.mount("/sdk", StaticFiles(directory=STATIC / "sdk"), name="sdk")
    app.mount("/desk/assets", StaticFiles(directory=STATIC / "desk"), name="desk")
    for add in extend:
        add(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(BodyLimit, max_bytes=settings.body_bytes)
    app.add_middleware(ForwardToOwner, rt=rt)
    app.add_middleware(AppCors, rt=rt)
    app.add_middleware(SecurityHeaders)
    return app
