"""A long line: what creating a request and the once-a-second estimate push cost as it grows.

    .venv/bin/python bench/line.py [--sizes 100,1000,5000,10000] [--sample 100] [--profile]

In one process, on a fresh SQLite database (no HTTP, no sockets): one app, one queue, one
specialist who is offline (so every request waits, as in `bench/load.py --idle`). Requests
are made the way the server makes them: `actions.customer.create_request`, then what
`POST /requests` adds (the estimate and the options) and what the customer's socket adds on
`hello` (the customer present, a forced estimate). At each line length it times:

- **create**: `--sample` more requests, one after the other (requests/s);
- **push, nothing changed**: `waits.refresh_all` with the line as it was at the last push;
- **push, one joined**: one request joins at the tail, then `refresh_all`;
- **push, the head left**: the head cancels (everyone behind moves up), then `refresh_all`;
- the estimate signals each push published (from the bus), and `refresh_all` calls.

The smallest line's figures are the baseline: the last columns are each figure over it.
`--profile` prints the top functions (cProfile) of the create and push at the largest size.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tapline.actions import customer
from tapline.actions.provision import add_app, add_specialist, ensure_queue
from tapline.actions.startup import restore
from tapline.lib import waits
from tapline.lib.runtime import Runtime
from tapline.lib.schemas import RequestCreate
from tapline.settings import Settings
from tapline.store.bus import Frame, InProcessBus
from tapline.store.database import make_engine, make_sessionmaker
from tapline.store.migrate import upgrade
from tapline.store.models import App


class CountingBus(InProcessBus):
    """The in-process bus, counting the estimate signals published."""

    def __init__(self) -> None:
        super().__init__()
        self.estimates = 0

    def publish(self, channel: str, frame: Frame) -> None:
        if frame.get("type") == "estimate":
            self.estimates += 1
        super().publish(channel, frame)


async def _runtime(data_dir: Path) -> tuple[Runtime, App]:
    settings = Settings(
        data_dir=data_dir,
        secret_key="bench-" + secrets.token_urlsafe(32),
        customer_grace=86_400.0,
        log_level="warning",
    )
    db = make_engine(settings.db_url, settings.database_schema)
    await upgrade(db)
    sessions = make_sessionmaker(db)
    async with sessions() as session, session.begin():
        app = await add_app(session, "Shop", ["https://shop.bench.example"])
        await ensure_queue(session, "General", "support")
        await add_specialist(
            session,
            email="ana@example.com",
            name="Ana",
            password="correct horse battery",
            password_hash="x",
            skills={"support": 3},
        )
    rt = Runtime(settings=settings, db=db, sessions=sessions, bus=CountingBus())
    await restore(rt)
    return rt, app


class Line:
    def __init__(self, rt: Runtime, app: App) -> None:
        self.rt = rt
        self.app = app
        self.made = 0
        self.ids: list[str] = []

    async def create(self) -> str:
        """One request, as `POST /requests` and then the customer's socket make it."""
        rt = self.rt
        body = RequestCreate(id=f"c{self.made}", description="Which is charged?", context={})
        self.made += 1
        row, _ = await customer.create_request(rt, self.app, body, secrets.token_hex(8))
        waits.refresh(rt, row.id, force=False)  # api_sdk.post_request
        waits.options(rt, row, rt.queue_rows.get(row.queue_id))
        waits.refresh(rt, row.id, force=True)  # socket_customer, after welcome
        await customer.customer_presence(rt, row.id, True)
        self.ids.append(row.id)
        return row.id

    def push(self) -> tuple[float, int]:
        """One `refresh_all`: seconds, estimate signals published."""
        bus = self.rt.bus
        assert isinstance(bus, CountingBus)
        before = bus.estimates
        began = time.perf_counter()
        waits.refresh_all(self.rt)
        return time.perf_counter() - began, bus.estimates - before


async def measure(sizes: list[int], sample: int, profile: bool) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="tapline-line-") as tmp:
        rt, app = await _runtime(Path(tmp))
        line = Line(rt, app)
        rows = []
        try:
            for size in sizes:
                while len(line.ids) < size - sample:
                    await line.create()
                line.push()  # what the server's push would have done meanwhile
                profiler = cProfile.Profile() if profile and size == sizes[-1] else None
                if profiler:
                    profiler.enable()
                began = time.perf_counter()
                for _ in range(max(0, size - len(line.ids))):
                    await line.create()
                create = (time.perf_counter() - began) / sample
                line.push()
                idle, idle_sent = line.push()
                await line.create()
                joined, joined_sent = line.push()
                await customer.cancel(rt, line.ids.pop(0))
                left, left_sent = line.push()
                if profiler:
                    profiler.disable()
                    _print_profile(profiler)
                rows.append(
                    {
                        "line": rt.engine.waiting(next(iter(rt.queue_rows))),
                        "create_per_s": 1.0 / create,
                        "idle_ms": idle * 1000,
                        "idle_sent": idle_sent,
                        "joined_ms": joined * 1000,
                        "joined_sent": joined_sent,
                        "left_ms": left * 1000,
                        "left_sent": left_sent,
                    }
                )
                _print_row(rows[-1], rows[0])
                sys.stdout.flush()
        finally:
            await rt.writer.close()
            await rt.db.dispose()
        return rows


def _print_profile(profiler: cProfile.Profile) -> None:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue())


HEADER = (
    f"{'waiting':>8} {'create/s':>9} {'push idle':>10} {'sent':>6} {'push +1':>9} {'sent':>6}"
    f" {'push -head':>10} {'sent':>6} | {'create':>7} {'idle':>7} {'+1':>7} {'-head':>7}"
)


def _print_row(row: dict[str, Any], base: dict[str, Any]) -> None:
    def ratio(key: str) -> str:
        return f"{row[key] / base[key]:6.2f}x" if base[key] > 0 else "      -"

    print(
        f"{row['line']:>8} {row['create_per_s']:>9.0f} {row['idle_ms']:>8.2f}ms"
        f" {row['idle_sent']:>6} {row['joined_ms']:>7.2f}ms {row['joined_sent']:>6}"
        f" {row['left_ms']:>8.2f}ms {row['left_sent']:>6} |"
        f" {ratio('create_per_s')} {ratio('idle_ms')} {ratio('joined_ms')} {ratio('left_ms')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="line lengths (100,1000,5000)")
    parser.add_argument("--sample", type=int, default=100, help="creates timed at each (100)")
    parser.add_argument("--profile", action="store_true", help="cProfile at the largest size")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if sizes[0] < args.sample:
        parser.error("every size must be at least --sample")
    from tapline import native

    print(f"line: engine {native.mode()}, one queue, its specialist offline; SQLite")
    print("ratios (right): each figure over the first line length's, measured in this run")
    print(HEADER)
    asyncio.run(measure(sizes, args.sample, args.profile))


if __name__ == "__main__":
    main()
