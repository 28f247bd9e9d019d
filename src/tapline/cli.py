"""The `tapline` command: serve, demo, migrate, and set up specialists and apps."""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer
import uvicorn
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from sqlalchemy import select

from tapline.actions import provision
from tapline.demo import seed as demo_seed
from tapline.settings import Settings, load_settings
from tapline.store.database import make_engine, make_sessionmaker
from tapline.store.migrate import upgrade
from tapline.store.models import App

app = typer.Typer(
    help="tapline: a specialist one tap away, inside any app.",
    no_args_is_help=True,
    add_completion=False,
)
specialist_app = typer.Typer(help="Manage specialists.", no_args_is_help=True)
apps_app = typer.Typer(help="Manage apps (the customer-facing applications).", no_args_is_help=True)
app.add_typer(specialist_app, name="specialist")
app.add_typer(apps_app, name="app")
console = Console()

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="A TOML file with a [tapline] table.", exists=True, dir_okay=False
    ),
]
WS_MAX_BYTES = 1 << 20  # frames above the configured limit get an error; above this, a close


def _settings(config: Path | None, **overrides: object) -> Settings:
    return load_settings(config, **{k: v for k, v in overrides.items() if v is not None})


class _NoFrames(logging.Filter):
    """At DEBUG the websockets library logs each frame's first bytes, a customer's card
    number among them: never."""

    FRAMES = ("< TEXT", "> TEXT", "< BINARY", "> BINARY")

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.FRAMES)


class Companion(Protocol):
    """Something that runs beside the server once it listens (the busy demo's bots)."""

    async def run(self) -> None: ...
    async def stop(self) -> None: ...


class _ServerWith(uvicorn.Server):
    """uvicorn's server, running a companion from when it listens until it shuts down. The
    companion stops first, while the server still answers its last calls."""

    def __init__(self, config: uvicorn.Config, companion: Callable[[], Companion]) -> None:
        super().__init__(config)
        self._make = companion
        self._companion: Companion | None = None
        self._task: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            self._companion = self._make()
            self._task = asyncio.create_task(self._companion.run())
            self._task.add_done_callback(_said_why)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            if self._companion is not None and self._task is not None:
                await self._companion.stop()
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
        finally:
            await super().shutdown(sockets)


def _said_why(task: asyncio.Task[None]) -> None:
    """A companion that failed says so at once, not at shutdown; the server goes on."""
    if not task.cancelled() and task.exception() is not None:
        logging.getLogger("tapline.demo").error("the busy demo stopped", exc_info=task.exception())


class _NoSockets(logging.Filter):
    """With the busy demo's bots, a line per socket opened would bury the demo's progress."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return '"WebSocket /ws/' not in text and text not in (
            "connection open",
            "connection closed",
        )


def _serve(settings: Settings, companion: Callable[[], Companion] | None = None) -> None:
    from tapline.demo import pages as demo_pages
    from tapline.web.app import create_app  # the web app, only for the commands that serve it

    extend = [demo_pages.install] if settings.demo else []
    for name in ("uvicorn.error", "websockets", "websockets.server"):
        logging.getLogger(name).addFilter(_NoFrames())
    options: dict[str, Any] = dict(
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        ws_max_size=WS_MAX_BYTES,
        proxy_headers=False,
    )
    if companion is None:
        uvicorn.run(create_app(settings, extend=extend), **options)
        return
    # The companion's own calls would fill the console: its progress says what happens.
    for name in ("uvicorn.error", "websockets", "websockets.server"):
        logging.getLogger(name).addFilter(_NoSockets())
    config = uvicorn.Config(create_app(settings, extend=extend), access_log=False, **options)
    server = _ServerWith(config, companion)
    server.run()
    if not server.started:
        raise typer.Exit(3)  # as uvicorn.run: it could not start (the port is taken?)


async def _migrate(settings: Settings) -> None:
    engine = make_engine(settings.db_url, settings.database_schema)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Run the server (settings from TAPLINE_* variables and/or --config)."""
    settings = _settings(config, host=host, port=port)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _serve(settings)


@app.command()
def migrate(config: ConfigOption = None) -> None:
    """Bring the database schema up to date (Alembic)."""
    settings = _settings(config)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(_migrate(settings))
    console.print(f"[green]Database is up to date[/] ({settings.db_url.split('://')[0]}).")


@app.command()
def demo(
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    busy: Annotated[
        bool | None,
        typer.Option(
            "--busy",
            help="Also run simulated specialists and customers over the real protocol, so "
            "the line is long: the honest estimate and the callback and slot offers show "
            "within a minute (or TAPLINE_DEMO_BUSY=1).",
        ),
    ] = None,
) -> None:
    """Serve with the SkyWay demo airline and seeded specialists; prints where to go."""
    settings = _settings(config, host=host, port=port, demo=True, demo_busy=busy or None)
    if settings.demo_busy:
        # The bots ask from this machine, as a newcomer's browser does: room for both.
        room = settings.requests_per_address + math.ceil(settings.demo_rate * 60)
        settings = settings.model_copy(update={"requests_per_address": room})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    kind = "SQLite" if settings.db_url.startswith("sqlite") else "PostgreSQL"
    with console.status(f"Migrating the database ({kind}) and seeding the demo"):
        began = time.monotonic()
        seeded = asyncio.run(_seed_demo(settings))
    console.print(f"-> Database migrated and demo seeded in {time.monotonic() - began:.1f}s")
    table = Table(title="Desk sign-ins", show_lines=False)
    for column in ("Name", "Role", "Email", "Password"):
        table.add_column(column)
    for item in seeded.people:
        table.add_row(item.name, item.role, item.email, item.password)
    console.print(
        Panel.fit(
            f"[bold]SkyWay demo[/] (the customer): [link]{settings.origin}/demo[/]\n"
            f"[bold]Desk[/] (the specialist):      [link]{settings.origin}/desk[/]\n"
            "Open them in two windows. Book a flight, get stuck on payment, tap [bold]Get help[/].",
            title="tapline demo",
        )
    )
    console.print(table)
    companion = _busy(settings, seeded) if settings.demo_busy else None
    if companion is not None:
        caps = (
            f"{settings.demo_bots} simulated specialists, {settings.demo_rate:g} requests a minute"
        )
        console.print(f"-> Busy: {caps} at most; the line forms within about a minute")
    console.print(f"-> Starting the server at {settings.origin} (Ctrl+C stops it)")
    _serve(settings, companion)


@dataclass
class _Seeded:
    people: list[demo_seed.DemoSignIn]
    bots: list[demo_seed.DemoSignIn]
    app_key: str
    app_secret: str


async def _seed_demo(settings: Settings) -> _Seeded:
    origins = [
        settings.origin,
        f"http://localhost:{settings.port}",
        f"http://127.0.0.1:{settings.port}",
    ]
    engine = make_engine(settings.db_url, settings.database_schema)
    try:
        await upgrade(engine)
        async with make_sessionmaker(engine)() as session, session.begin():
            app_row, people = await demo_seed.seed_demo(session, origins)
            bots = []
            if settings.demo_busy:  # a password of this run: no one else signs in as them
                password = secrets.token_urlsafe(18)
                bots = await demo_seed.seed_bots(session, settings.demo_bots, password)
            return _Seeded(people, bots, app_row.public_key, app_row.secret)
    finally:
        await engine.dispose()


def _busy(settings: Settings, seeded: _Seeded) -> Callable[[], Companion]:
    from tapline.demo.busy import Conductor
    from tapline.demo.clients import Link
    from tapline.demo.pacing import Caps

    host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(settings.host, settings.host)
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    link = Link(
        f"http://{host}:{settings.port}", settings.origin, seeded.app_key, seeded.app_secret
    )
    caps = Caps.from_settings(settings)
    return lambda: Conductor(link, seeded.bots, caps, console.print)


@app.command()
def simulate(
    scenario: Annotated[
        Path, typer.Argument(help="A scenario TOML file.", exists=True, dir_okay=False)
    ],
    report: Annotated[
        Path | None, typer.Option(help="Also write plots: out.html (embedded) or out.png.")
    ] = None,
    jobs: Annotated[
        int, typer.Option(min=1, max=64, help="Independent replications run at once.")
    ] = 1,
) -> None:
    """Run a scenario through the engine in virtual time and score the wait estimates."""
    from tapline.simulator import ScenarioError
    from tapline.simulator.console import run_and_print

    if report is not None and report.suffix.lower() not in (".html", ".htm", ".png"):
        console.print(f"[red]--report must end in .html or .png, not {report.name}[/]")
        raise typer.Exit(2)
    try:
        run_and_print(scenario, report, console, jobs)
    except ScenarioError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error


@specialist_app.command("add")
def specialist_add(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Full name, as customers see it.")],
    role: Annotated[str, typer.Option(help="Role, as customers see it.")] = "Specialist",
    skill: Annotated[
        list[str] | None,
        typer.Option(help="A skill with its level 1-5, as NAME=LEVEL; repeat for more."),
    ] = None,
    capacity: Annotated[int, typer.Option(min=1, max=20, help="Concurrent chats.")] = 3,
    supervisor: Annotated[bool, typer.Option(help="May manage queues and staff.")] = False,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
    config: ConfigOption = None,
) -> None:
    """Add a specialist who signs in to the desk."""
    skills = _skills(skill or ["support=3"])
    settings = _settings(config)

    async def run() -> str:
        engine = make_engine(settings.db_url, settings.database_schema)
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                row = await provision.add_specialist(
                    session,
                    email=email,
                    name=name,
                    password=password,
                    role=role,
                    skills=skills,
                    capacity=capacity,
                    supervisor=supervisor,
                )
                return row.id
        finally:
            await engine.dispose()

    try:
        specialist_id = asyncio.run(run())
    except ValueError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error
    console.print(f"[green]Added[/] {name} <{email}> as {specialist_id}.")


@apps_app.command("add")
def app_add(
    name: Annotated[str, typer.Option(help="The app's name, as the desk shows it.")],
    origin: Annotated[
        list[str],
        typer.Option(
            help="An origin allowed to embed the widget, e.g. https://shop.example; repeat."
        ),
    ],
    verified_only: Annotated[
        bool,
        typer.Option(
            "--verified-only",
            help="Refuse requests from customers without a valid token signed with the secret.",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Register an app; prints its public key and its secret (shown once)."""
    settings = _settings(config)

    async def run() -> tuple[str, str, str]:
        engine = make_engine(settings.db_url, settings.database_schema)
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                row = await provision.add_app(session, name, origin)
                row.verified_only = verified_only
                return row.id, row.public_key, row.secret
        finally:
            await engine.dispose()

    app_id, public_key, secret = asyncio.run(run())
    console.print(f"app:        {app_id}")
    console.print(f"public key: {public_key}")
    console.print(f"secret:     {secret}")
    if verified_only:
        console.print("verified customers only: requests without a valid token are refused.")
    console.print("[dim]Keep the secret on your backend; it signs your users' identities.[/]")


@apps_app.command("set")
def app_set(
    app_ref: Annotated[str, typer.Argument(metavar="APP", help="The app's id or public key.")],
    verified_only: Annotated[
        bool | None,
        typer.Option(
            "--verified-only/--no-verified-only",
            help="Refuse (or take again) requests from customers without a valid signed token.",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Change an app's settings."""
    if verified_only is None:
        console.print("[red]Nothing to change: give --verified-only or --no-verified-only.[/]")
        raise typer.Exit(2)
    settings = _settings(config)

    async def run() -> str | None:
        engine = make_engine(settings.db_url, settings.database_schema)
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                row = await provision.set_verified_only(session, app_ref, verified_only)
                return None if row is None else row.name
        finally:
            await engine.dispose()

    name = asyncio.run(run())
    if name is None:
        console.print(f"[red]No app with the id or public key {app_ref!r}.[/]")
        raise typer.Exit(1)
    state = "verified customers only" if verified_only else "verified and unverified customers"
    console.print(f"[green]{name}[/] now takes requests from {state}.")


@apps_app.command("list")
def app_list(config: ConfigOption = None) -> None:
    """The apps: id, public key, whether only verified customers may ask, name, origins."""
    settings = _settings(config)

    async def run() -> list[App]:
        engine = make_engine(settings.db_url, settings.database_schema)
        try:
            async with make_sessionmaker(engine)() as session:
                return list(await session.scalars(select(App).order_by(App.created_at, App.id)))
        finally:
            await engine.dispose()

    rows = asyncio.run(run())
    if not rows:
        console.print("No apps yet: add one with `tapline app add`.")
    for row in rows:  # one app a line, whole values: ids and keys are for copying
        only = "verified customers only" if row.verified_only else "any customer"
        origins = " ".join(row.origins) or "(no origins)"
        console.print(
            f"{row.id}  {row.public_key}  {only}  {row.name!r}  {origins}",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )


def _skills(items: list[str]) -> dict[str, int]:
    skills: dict[str, int] = {}
    for item in items:
        skill, _, level = item.partition("=")
        if not skill or not level.isdigit() or not 1 <= int(level) <= 5:
            raise typer.BadParameter(f"{item!r}: write a skill as NAME=LEVEL, level 1-5.")
        skills[skill.strip()] = int(level)
    return skills
