"""The batched durable writer: many writes share one transaction (group commit).

Writes wait in one line. The writer takes everything that is waiting, runs each write in
turn inside one transaction (so engine commands stay serialised in memory), writes the
batch's events with two statements, commits once, then publishes the events and answers
every waiting caller. Writes that arrive while a batch commits form the next batch.

Two kinds of write:

- a *turn* (`Writer.turn`, what `actions.transaction` uses): the caller's own code runs
  with the batch's session inside a SAVEPOINT, so a refused write (`ActionError`) takes back
  its rows and its events and leaves the others in the batch alone;
- a *step* (`Writer.step`): a function the writer runs itself, for the hot path (messages),
  which must refuse before it changes anything and writes at most one statement.

The engine changes as each write runs, before the commit. When a batch fails to commit (the
database went away) or a write fails for a reason other than a refusal, the engine may hold
what the database does not: the writer then refuses every write with `unavailable` until it
has rebuilt the engine from the database (`rebuild`, given by the server), which is the
truth. So the engine only ever goes on from what committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tapline.errors import ActionError, Busy, Unavailable
from tapline.store.bus import Bus
from tapline.store.streams import Outbox, Sequences
from tapline.store.threads import MessageIds, Threads

log = logging.getLogger("tapline.writer")
T = TypeVar("T")
Step = Callable[["Batch"], Awaitable[T]]


@dataclass
class Batch:
    """What the writes of one transaction share."""

    session: AsyncSession
    outbox: Outbox
    ids: MessageIds
    threads: Threads
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    damaged: bool = False
    """A write failed in a way that may have left the engine ahead of the database."""


@dataclass
class _Write(Generic[T]):
    step: Step[T] | None
    done: asyncio.Future[T]
    turn: asyncio.Future[Batch] | None = None
    finished: asyncio.Future[None] | None = None


class Writer:
    """One line of writes for one database. See the module's docstring."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: Callable[[], Bus],
        *,
        max_waiting: int = 10_000,
        max_batch: int = 500,
    ) -> None:
        self.sessions = sessions
        self._bus = bus
        self.sequences = Sequences()
        self.ids = MessageIds()
        self.threads = Threads()
        self.max_waiting = max_waiting
        self.max_batch = max_batch
        self.rebuild: Callable[[], Awaitable[None]] | None = None
        self.committed: Callable[[], None] = lambda: None
        self._line: deque[_Write[Any]] = deque()
        self._task: asyncio.Task[None] | None = None
        self._recovery: asyncio.Task[None] | None = None
        self._exclusive = asyncio.Lock()
        self.closed = False
        self.standby: str | None = None
        """Why this node writes nothing itself (another node owns the engine), or None."""
        self.probe: Callable[[], Awaitable[None]] = self._select_one
        """Does the database answer again? Raises while it does not."""
        self.down: str | None = None
        """Why writes are refused now (the database went away), or None."""
        self.batches = 0
        self.writes = 0
        self.failed_batches = 0

    # What callers use.

    async def step(self, step: Step[T]) -> T:
        """Run `step` in the next batch; its result once that batch has committed."""
        write: _Write[T] = _Write(step, self._future())
        self._enqueue(write)
        return await write.done

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[Batch]:
        """The caller's own write, in the next batch, inside a SAVEPOINT of its own."""
        write: _Write[None] = _Write(None, self._future(), self._future(), self._future())
        assert write.turn is not None and write.finished is not None
        self._enqueue(write)
        try:
            batch = await write.turn
        except asyncio.CancelledError:
            if not write.turn.done():
                write.turn.cancel()  # the writer skips it
            raise
        try:
            async with _savepoint(batch):
                yield batch
        except BaseException as error:
            write.finished.set_exception(error)
            if _is_database(error):
                raise Unavailable() from error
            raise
        write.finished.set_result(None)
        await write.done

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[Batch]:
        """A transaction of its own, with no batch running (startup and rebuilds)."""
        async with self._exclusive, self.sessions() as session:
            async with session.begin():
                batch = self._new_batch(session)
                yield batch
                await batch.outbox.flush()
            self._published(batch)

    async def idle(self) -> None:
        """Wait until no write is waiting or being written."""
        while self._task is not None and not self._task.done():
            await asyncio.wait({self._task})

    def _new_batch(self, session: AsyncSession) -> Batch:
        return Batch(session, Outbox(session, self.sequences), self.ids, self.threads)

    def forget(self) -> None:
        """Everything counted in memory, to be read again from the database."""
        self.sequences.reset()
        self.ids.reset()
        self.threads.reset()

    def status(self) -> dict[str, Any]:
        return {
            "ok": self.down is None,
            "down": self.down,
            "waiting": len(self._line),
            "batches": self.batches,
            "writes": self.writes,
            "failed_batches": self.failed_batches,
        }

    async def close(self) -> None:
        """Refuse new writes, let the line drain (a few seconds at most), stop recovering."""
        self.closed = True
        if self._task is not None and not self._task.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), 5.0)
        for task in (self._task, self._recovery):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    # The writer itself.

    def _future(self) -> asyncio.Future[Any]:
        future = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieved)  # its caller may have gone: that is no error
        return future

    def _enqueue(self, write: _Write[Any]) -> None:
        if self.closed:
            raise Unavailable("This node is shutting down.")
        if self.standby is not None:
            raise Unavailable("This node does not own the engine.")
        if self.down is not None:
            raise Unavailable()
        if len(self._line) >= self.max_waiting:
            raise Busy()
        self._line.append(write)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._line:
            async with self._exclusive:
                batch_writes = [
                    self._line.popleft() for _ in range(min(self.max_batch, len(self._line)))
                ]
                await self._batch(batch_writes)

    async def _batch(self, writes: list[_Write[Any]]) -> None:
        results: list[tuple[_Write[Any], Any, BaseException | None]] = []
        batch: Batch | None = None
        try:
            async with self.sessions() as session, session.begin():
                batch = self._new_batch(session)
                for write in writes:
                    results.append(await self._run(write, batch))
                await batch.outbox.flush()
        except Exception as error:  # the commit, or the database under a write, failed
            self._failed(writes, results, error)
            return
        assert batch is not None
        self.batches += 1
        self.writes += len(writes)
        self._published(batch)
        for write, value, failure in results:
            if write.done.done():
                continue
            if failure is None:
                write.done.set_result(value)
            elif write.turn is not None:
                write.done.cancel()  # its caller raised the error itself and waits no more
            else:
                write.done.set_exception(failure)
        if batch.damaged:
            self._go_down("a write failed midway")

    async def _run(self, write: _Write[Any], batch: Batch) -> tuple[_Write[Any], Any, Any]:
        """One write of the batch. A refusal is its own; a database error ends the batch."""
        if write.turn is not None:
            assert write.finished is not None
            if write.turn.done():  # its caller went away while it waited
                return write, None, asyncio.CancelledError()
            await batch.outbox.flush()  # its reads see the writes before it
            write.turn.set_result(batch)
            try:
                await asyncio.shield(write.finished)
            except ActionError as refused:
                return write, None, refused
            except BaseException as error:
                _raise_if_database(error)
                batch.damaged = True
                return write, None, error
            return write, None, None
        assert write.step is not None
        mark = batch.outbox.mark()
        try:
            return write, await write.step(batch), None
        except ActionError as refused:
            batch.outbox.rollback_to(mark)
            return write, None, refused
        except Exception as error:
            _raise_if_database(error)
            batch.outbox.rollback_to(mark)
            batch.damaged = True
            return write, None, error

    def _published(self, batch: Batch) -> None:
        batch.outbox.send_events(self._bus())
        for hook in batch.after_commit:
            hook()
        self.committed()

    def _failed(
        self,
        writes: list[_Write[Any]],
        results: list[tuple[_Write[Any], Any, Any]],
        error: Exception,
    ) -> None:
        self.failed_batches += 1
        log.error(
            "a batch of %d writes did not commit: %s", len(writes), _describe(error), exc_info=error
        )
        for write in writes:
            if write.turn is not None and not write.turn.done():
                write.turn.set_exception(Unavailable())
            if not write.done.done():
                write.done.set_exception(Unavailable())
        for write in self._line:
            if write.turn is not None and not write.turn.done():
                write.turn.set_exception(Unavailable())
            if not write.done.done():
                write.done.set_exception(Unavailable())
        self._line.clear()
        self._go_down(_describe(error))

    async def _select_one(self) -> None:
        async with self.sessions() as session:
            await session.execute(text("SELECT 1"))

    def _go_down(self, why: str) -> None:
        """Refuse writes until the engine is rebuilt from the database (after this batch)."""
        if self.closed:
            return  # shutting down: the next start rebuilds from the database anyway
        self.down = why
        self.forget()
        if self._recovery is None or self._recovery.done():
            self._recovery = asyncio.get_running_loop().create_task(self._recover())

    async def _recover(self) -> None:
        """Rebuild the engine from the database, retrying until it answers again."""
        delay = 0.25
        while True:
            if self.standby is not None:
                self.down = None  # another node owns the engine now: nothing to rebuild here
                return
            try:
                await self.probe()
                if self.rebuild is not None:
                    await self.rebuild()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.down = _describe(error)
                log.warning("the database is still unavailable: %s", self.down)
                self.forget()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self.down = None
            log.info("writes resumed: the engine was rebuilt from the database")
            return


@contextlib.asynccontextmanager
async def _savepoint(batch: Batch) -> AsyncIterator[None]:
    """A write's own rows and events; a refusal takes both back and leaves the batch."""
    mark = batch.outbox.mark()
    nested = await batch.session.begin_nested()
    try:
        yield
    except BaseException:
        if nested.is_active:
            await nested.rollback()
        batch.outbox.rollback_to(mark)
        raise
    await nested.commit()


def _retrieved(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _is_database(error: BaseException) -> bool:
    return isinstance(error, DBAPIError | OSError)


def _raise_if_database(error: BaseException) -> None:
    """A database error ends the whole batch: nothing in it can be kept."""
    if _is_database(error):
        raise error


def _describe(error: BaseException) -> str:
    """What went wrong, for the log and /healthz: the kind and its first line, no values."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first[:200]}" if first else type(error).__name__
