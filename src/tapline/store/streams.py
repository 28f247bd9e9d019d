"""Sequenced client streams: events are written with the change, published after commit.

The writer (`tapline.store.writer`) is the one process that writes a database's streams, so it
hands out sequence numbers from memory (`Sequences`) and makes them durable in the same
batch as the events: no round trip per event. A failed batch forgets every number it had
not committed (`Sequences.reset`), and the next write reads them back.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tapline.store.bus import Bus, Frame
from tapline.store.models import Event, Message, Stream

EVENTS: Table = Event.__table__  # type: ignore[assignment]
MESSAGES: Table = Message.__table__  # type: ignore[assignment]
STREAMS: Table = Stream.__table__  # type: ignore[assignment]


def customer_stream(request_id: str) -> str:
    return f"customer:{request_id}"


def specialist_stream(specialist_id: str) -> str:
    return f"specialist:{specialist_id}"


def now_ms() -> int:
    return int(time.time() * 1000)


class Sequences:
    """The last number handed out in each stream this writer has touched."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def known(self, stream: str) -> bool:
        return stream in self._last

    def load(self, stream: str, last: int) -> None:
        self._last[stream] = last

    def next(self, stream: str) -> int:
        value = self._last[stream] + 1
        self._last[stream] = value
        return value

    def rewind(self, stream: str, last: int) -> None:
        self._last[stream] = last

    def forget(self, stream: str) -> None:
        self._last.pop(stream, None)

    def reset(self) -> None:
        self._last.clear()

    def __len__(self) -> int:
        return len(self._last)


class Outbox:
    """The events of one batch of writes: stored with them, published once they commit."""

    def __init__(self, session: AsyncSession, sequences: Sequences | None = None) -> None:
        self.session = session
        self.sequences = sequences if sequences is not None else Sequences()
        self.frames: list[tuple[str, Frame]] = []
        self._rows: list[dict[str, Any]] = []
        self._flushed = 0
        self._messages: list[dict[str, Any]] = []

    async def add(self, stream: str, type_: str, payload: dict[str, Any]) -> Frame:
        await self.load([stream])
        return self.put(stream, type_, payload)

    async def load(self, streams: list[str]) -> None:
        """Read the last numbers of streams this writer has not touched yet (once each)."""
        for stream in streams:
            if not self.sequences.known(stream):
                self.sequences.load(stream, await last_seq(self.session, stream))

    def put(self, stream: str, type_: str, payload: dict[str, Any]) -> Frame:
        """Add an event to a stream already loaded: no I/O."""
        seq = self.sequences.next(stream)
        frame: Frame = {"seq": seq, "type": type_, "at": now_ms(), **payload}
        body = {key: value for key, value in frame.items() if key not in ("seq", "type")}
        self._rows.append({"stream": stream, "seq": seq, "type": type_, "payload": body})
        self.frames.append((stream, frame))
        return frame

    def put_message(self, row: dict[str, Any]) -> None:
        """A message to write with the batch's next flush (its id given by the writer)."""
        self._messages.append(row)

    def mark(self) -> int:
        return len(self.frames)

    def rollback_to(self, mark: int) -> None:
        """Drop the events added since `mark` and give their numbers back."""
        assert mark >= self._flushed, "events already written cannot be taken back"
        for stream, frame in reversed(self.frames[mark:]):
            self.sequences.rewind(stream, frame["seq"] - 1)
        del self.frames[mark:]
        del self._rows[mark - self._flushed :]

    async def flush(self) -> None:
        """Write the messages and events added so far and the streams' last numbers: three
        multi-row statements at most, whatever the number of writes."""
        connection = await self.session.connection()
        if self._messages:
            messages, self._messages = self._messages, []
            await connection.execute(MESSAGES.insert(), messages)
        if not self._rows:
            return
        rows, self._rows = self._rows, []
        self._flushed += len(rows)
        await connection.execute(EVENTS.insert(), rows)
        last: dict[str, int] = {}
        for row in rows:
            last[row["stream"]] = row["seq"]
        dialect = self.session.bind.dialect.name if self.session.bind is not None else "sqlite"
        upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(STREAMS)
        await connection.execute(
            upsert.on_conflict_do_update(
                index_elements=["key"], set_={"last_seq": upsert.excluded.last_seq}
            ),
            [{"key": key, "last_seq": seq} for key, seq in last.items()],
        )

    def send_events(self, bus: Bus) -> None:
        for stream, frame in self.frames:
            bus.publish(stream, frame)
        self.frames.clear()


async def last_seq(session: AsyncSession, stream: str) -> int:
    value = await session.scalar(select(Stream.last_seq).where(Stream.key == stream))
    return int(value or 0)


async def replay(session: AsyncSession, stream: str, after: int, limit: int = 500) -> list[Frame]:
    rows = await session.scalars(
        select(Event)
        .where(Event.stream == stream, Event.seq > after)
        .order_by(Event.seq)
        .limit(limit)
    )
    return [{"seq": row.seq, "type": row.type, **row.payload} for row in rows]
