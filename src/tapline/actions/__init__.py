"""The one write path. Every change persists first, then publishes with `send_events`.

Writes go through the runtime's `Writer` (`tapline.store.writer`): many share one transaction and
one commit, and their events are published, and their callers answered, once it commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tapline.lib.runtime import Runtime
from tapline.store.streams import Outbox
from tapline.store.writer import Batch

__all__ = ["Transaction", "exclusive", "transaction"]


@dataclass
class Transaction:
    rt: Runtime
    session: AsyncSession
    outbox: Outbox
    batch: Batch


@asynccontextmanager
async def transaction(rt: Runtime) -> AsyncIterator[Transaction]:
    """One write, in the writer's next batch: the engine stays single-threaded state."""
    async with rt.writer.turn() as batch:
        yield Transaction(rt, batch.session, batch.outbox, batch)


@asynccontextmanager
async def exclusive(rt: Runtime) -> AsyncIterator[Transaction]:
    """A transaction with no batch running: for startup and rebuilding the engine."""
    async with rt.writer.exclusive() as batch:
        yield Transaction(rt, batch.session, batch.outbox, batch)
