"""What the writer keeps in memory of conversations, so a message costs no statement of its own.

- `MessageIds` hands out message ids: on PostgreSQL in blocks taken from the table's own
  sequence (so any other insert stays safe), on SQLite from the largest id (one process
  writes SQLite).
- `Threads` keeps, per conversation, the client ids already used and the messages they made,
  read once from the database the first time the writer touches that conversation: a resend
  is told apart in memory.

Both are the writer's alone (the one writer of a database), and both are forgotten when a
batch fails to commit (`reset`), to be read again from the database.
"""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tapline.store.models import Message

BLOCK = 1000
"""Message ids taken from PostgreSQL's sequence at a time."""
THREADS_KEPT = 5_000
"""Conversations whose client ids are kept; the least recently written is forgotten first."""

Key = tuple[str, str]
"""(sender, client id): unique in a conversation (the table's constraint)."""
Made = tuple[str | None, int]
"""Who made it (the specialist's id, or None) and the message's id."""


class MessageIds:
    def __init__(self) -> None:
        self._next = 0
        self._end = 0  # exclusive

    async def take(self, session: AsyncSession) -> int:
        if self._next >= self._end:
            await self._refill(session)
        value = self._next
        self._next += 1
        return value

    async def _refill(self, session: AsyncSession) -> None:
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        if dialect == "postgresql":
            rows = await session.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence('messages', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": BLOCK},
            )
            ids = sorted(int(row[0]) for row in rows)
            # A block from a sequence is increasing but may have gaps (others took some):
            # keep the longest run from its start, and take another block when it is spent.
            run = 1
            while run < len(ids) and ids[run] == ids[0] + run:
                run += 1
            self._next, self._end = ids[0], ids[0] + run
            return
        largest = await session.scalar(select(func.max(Message.id)))
        start = max(int(largest or 0) + 1, self._next)
        self._next, self._end = start, start + BLOCK

    def reset(self) -> None:
        self._next = self._end = 0


class Threads:
    def __init__(self, kept: int = THREADS_KEPT) -> None:
        self.kept = kept
        self._used: OrderedDict[str, dict[Key, Made]] = OrderedDict()

    async def used(self, session: AsyncSession, request_id: str) -> dict[Key, Made]:
        """The conversation's client ids and their messages' ids (read once)."""
        found = self._used.get(request_id)
        if found is None:
            rows = await session.execute(
                select(Message.sender, Message.specialist_id, Message.client_id, Message.id)
                .where(Message.request_id == request_id)
                .where(Message.sender != "system")
            )
            found = {(sender, client): (who, mid) for sender, who, client, mid in rows}
            self._used[request_id] = found
            while len(self._used) > self.kept:
                self._used.popitem(last=False)
        else:
            self._used.move_to_end(request_id)
        return found

    def forget(self, request_id: str) -> None:
        self._used.pop(request_id, None)

    def reset(self) -> None:
        self._used.clear()
