"""Sequenced client streams: events are written with the change, published after commit."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tapline.bus import Bus, Frame
from tapline.models import Event, Stream


def customer_stream(request_id: str) -> str:
    return f"customer:{request_id}"


def specialist_stream(specialist_id: str) -> str:
    return f"specialist:{specialist_id}"


def now_ms() -> int:
    return int(time.time() * 1000)


class Outbox:
    """Collects the events of one transaction; `send_event` publishes them once it commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.frames: list[tuple[str, Frame]] = []

    async def add(self, stream: str, type_: str, payload: dict[str, Any]) -> Frame:
        seq = await _next_seq(self.session, stream)
        frame: Frame = {"seq": seq, "type": type_, "at": now_ms(), **payload}
        body = {key: value for key, value in frame.items() if key not in ("seq", "type")}
        self.session.add(Event(stream=stream, seq=seq, type=type_, payload=body))
        self.frames.append((stream, frame))
        return frame

    def send_events(self, bus: Bus) -> None:
        for stream, frame in self.frames:
            bus.publish(stream, frame)
        self.frames.clear()


async def _next_seq(session: AsyncSession, stream: str) -> int:
    """Atomic on SQLite and PostgreSQL alike: an upsert that returns the new number."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Stream)
        .values(key=stream, last_seq=1)
        .on_conflict_do_update(index_elements=["key"], set_={"last_seq": Stream.last_seq + 1})
        .returning(Stream.last_seq)
    )
    return int((await session.execute(statement)).scalar_one())


async def last_seq(session: AsyncSession, stream: str) -> int:
    value = await session.scalar(select(Stream.last_seq).where(Stream.key == stream))
    return int(value or 0)


async def replay(session: AsyncSession, stream: str, after: int, limit: int = 5000) -> list[Frame]:
    rows = await session.scalars(
        select(Event)
        .where(Event.stream == stream, Event.seq > after)
        .order_by(Event.seq)
        .limit(limit)
    )
    return [{"seq": row.seq, "type": row.type, **row.payload} for row in rows]
