"""The batched writer: writes that wait together share one commit; failures keep nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from support import bare_runtime
from tapline.actions import transaction
from tapline.errors import ActionError, Busy, Unavailable
from tapline.lib.runtime import Runtime
from tapline.settings import Settings
from tapline.store import streams
from tapline.store.bus import InProcessBus, Subscription
from tapline.store.models import Event, Stream
from tapline.store.writer import Batch

STREAM = "customer:r_1"


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    async with bare_runtime(settings) as runtime:
        yield runtime


def _listen(rt: Runtime) -> Subscription:
    assert isinstance(rt.bus, InProcessBus)
    return rt.bus.subscribe({STREAM})


def _published(listener: Subscription) -> list[dict[str, Any]]:
    frames = []
    while not listener.queue.empty():
        frames.append(listener.queue.get_nowait())
    return frames


async def _note(rt: Runtime, n: int, refuse: bool = False) -> int:
    async with transaction(rt) as tx:
        frame = await tx.outbox.add(STREAM, "note", {"n": n})
        if refuse:
            raise ActionError("invalid_state", "refused after writing")
    return int(frame["seq"])


async def _events(rt: Runtime) -> list[int]:
    async with rt.sessions() as session:
        rows = await session.scalars(select(Event.seq).where(Event.stream == STREAM))
        return sorted(rows)


async def test_writes_that_wait_together_share_one_commit(rt: Runtime) -> None:
    listener = _listen(rt)
    seqs = await asyncio.gather(*(_note(rt, n) for n in range(50)))
    assert sorted(seqs) == list(range(1, 51))
    assert rt.writer.writes == 50
    assert rt.writer.batches <= 2  # the first alone, the rest while it committed
    assert [frame["n"] for frame in _published(listener)] == list(range(50))  # in line order
    assert await _events(rt) == list(range(1, 51))
    async with rt.sessions() as session:
        assert await streams.last_seq(session, STREAM) == 50


async def test_a_refused_write_takes_back_its_events_and_leaves_the_batch(rt: Runtime) -> None:
    listener = _listen(rt)
    results = await asyncio.gather(
        *(_note(rt, n, refuse=n == 3) for n in range(6)), return_exceptions=True
    )
    assert isinstance(results[3], ActionError)
    kept = [result for result in results if isinstance(result, int)]
    assert sorted(kept) == [1, 2, 3, 4, 5]  # its number was given back, not skipped
    assert [frame["n"] for frame in _published(listener)] == [0, 1, 2, 4, 5]
    assert await _events(rt) == [1, 2, 3, 4, 5]
    assert rt.writer.down is None  # a refusal changes nothing: no rebuild


async def test_a_step_runs_in_the_writer_and_answers_after_the_commit(rt: Runtime) -> None:
    listener = _listen(rt)

    async def step(batch: Batch) -> int:
        await batch.outbox.load([STREAM])
        assert _published(listener) == []  # not before the commit
        return int(batch.outbox.put(STREAM, "note", {"n": 0})["seq"])

    async def refused(batch: Batch) -> int:
        await batch.outbox.load([STREAM])
        batch.outbox.put(STREAM, "note", {"n": 1})
        raise ActionError("not_allowed", "no")

    got = await asyncio.gather(
        rt.writer.step(step), rt.writer.step(refused), return_exceptions=True
    )
    assert got[0] == 1 and isinstance(got[1], ActionError)
    assert [frame["n"] for frame in _published(listener)] == [0]


async def test_a_batch_that_cannot_commit_keeps_nothing_and_rebuilds(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    listener = _listen(rt)
    await _note(rt, 0)
    rebuilt = asyncio.Event()

    async def rebuild() -> None:
        rebuilt.set()

    rt.writer.rebuild = rebuild
    real_flush = streams.Outbox.flush

    async def gone(self: streams.Outbox) -> None:
        monkeypatch.setattr(streams.Outbox, "flush", real_flush)
        raise OperationalError("INSERT", {}, ConnectionError("the database went away"))

    monkeypatch.setattr(streams.Outbox, "flush", gone)
    _published(listener)
    results = await asyncio.gather(*(_note(rt, n) for n in range(1, 6)), return_exceptions=True)
    assert all(isinstance(result, Unavailable) for result in results), results
    assert results[0].code == "unavailable" and results[0].retry_after  # type: ignore[union-attr]
    assert _published(listener) == []  # nothing uncommitted was told
    assert await _events(rt) == [1]
    await asyncio.wait_for(rebuilt.wait(), 5)
    await asyncio.wait_for(_until(lambda: rt.writer.down is None), 5)
    assert await _note(rt, 9) == 2  # the numbers of the failed batch were not spent


async def _until(condition: Any) -> None:
    while not condition():  # noqa: ASYNC110 - the writer's state, no event to wait on
        await asyncio.sleep(0.01)


async def test_while_down_every_write_is_refused_at_once(rt: Runtime) -> None:
    rt.writer.down = "OperationalError: connection refused"
    with pytest.raises(Unavailable):
        await _note(rt, 0)

    async def step(batch: Batch) -> None:
        raise AssertionError("never run")

    with pytest.raises(Unavailable):
        await rt.writer.step(step)
    assert rt.writer.status()["ok"] is False


async def test_past_the_queue_limit_a_write_is_refused_busy(rt: Runtime) -> None:
    rt.writer.max_waiting = 2
    results = await asyncio.gather(*(_note(rt, n) for n in range(5)), return_exceptions=True)
    busy = [result for result in results if isinstance(result, Busy)]
    assert len(busy) == 3
    assert busy[0].code == "busy" and busy[0].retry_after
    assert sorted(result for result in results if isinstance(result, int)) == [1, 2]


async def test_a_write_that_fails_midway_rebuilds_the_engine(rt: Runtime) -> None:
    """Not a refusal: the engine may hold what the database does not, so it is rebuilt."""
    rebuilt = asyncio.Event()

    async def rebuild() -> None:
        rebuilt.set()

    rt.writer.rebuild = rebuild
    with pytest.raises(KeyError):
        async with transaction(rt) as tx:
            await tx.outbox.add(STREAM, "note", {})
            raise KeyError("a bug")
    await asyncio.wait_for(rebuilt.wait(), 5)
    async with rt.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Stream)) == 0
