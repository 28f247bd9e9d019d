"""The one write path. Every change persists first, then publishes with `send_events`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tapline.runtime import Runtime
from tapline.streams import Outbox

QUEUES_CHANNEL = "desk:queues"


class ActionError(Exception):
    """A write refused for a reason the client can be told (`code` is a protocol code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Transaction:
    rt: Runtime
    session: AsyncSession
    outbox: Outbox


@asynccontextmanager
async def transaction(rt: Runtime) -> AsyncIterator[Transaction]:
    """Serialises writes (the engine is single-threaded state), commits, then publishes."""
    async with rt.lock, rt.sessions() as session, session.begin():
        tx = Transaction(rt, session, Outbox(session))
        yield tx
    tx.outbox.send_events(rt.bus)
    if rt.queues_dirty:
        rt.queues_dirty = False
        rt.bus.publish(QUEUES_CHANNEL, rt.queues_frame())
    rt.wake()
