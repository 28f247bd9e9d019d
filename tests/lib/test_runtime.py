"""The runtime's timer loop: it sleeps until the engine's next deadline or a wake-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tapline.engine import FakeClock
from tapline.lib.runtime import Runtime
from tapline.settings import Settings
from tapline.store.database import make_engine, make_sessionmaker


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[Runtime]:
    settings = Settings(data_dir=tmp_path, secret_key="s" * 40)
    db = make_engine(settings.db_url)
    yield Runtime(settings=settings, db=db, sessions=make_sessionmaker(db), clock=FakeClock(0.0))
    await db.dispose()


async def test_a_wake_ends_the_wait(rt: Runtime) -> None:
    waiting = asyncio.create_task(rt.wait_for_deadline())
    await asyncio.sleep(0)
    assert not waiting.done()
    rt.wake()
    await asyncio.wait_for(waiting, 5)


async def test_a_cancel_that_comes_with_a_wake_is_not_lost(rt: Runtime) -> None:
    """Shutdown cancels the ticker; if a write has just woken it, it must still stop."""
    waiting = asyncio.create_task(rt.wait_for_deadline())
    await asyncio.sleep(0)
    rt.wake()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
