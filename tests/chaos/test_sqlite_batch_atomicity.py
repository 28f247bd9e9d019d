"""Found by `bench/chaos.py --faults kill` on SQLite: a request `resolved` in its row, with
no `request.state` event in any stream, so neither the customer nor the desk was ever told
(and the desk's stream leaves it held). Cause: the writer runs a turn inside a SAVEPOINT
(`writer._savepoint`), and on SQLite the driver (sqlite3/aiosqlite in its default mode)
opens a transaction only before an INSERT/UPDATE/DELETE. A batch whose first write is a
turn that has only read so far sends `SAVEPOINT` outside any transaction: SQLite then
starts a transaction with it, and `RELEASE` commits it. The turn's rows are durable at
once, before the batch's events are written and before the batch commits; a kill -9, or
any later failure of the batch, keeps them without their events.

This test fails until `database.make_engine` makes the driver leave transactions to
SQLAlchemy (SQLAlchemy's documented recipe for pysqlite/aiosqlite: `isolation_level =
None` on connect and an explicit `BEGIN` on the engine's `begin` event).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from tapline.store.database import make_engine


async def test_a_released_savepoint_waits_for_its_transaction(tmp_path: Path) -> None:
    path = tmp_path / "tapline.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
        async with engine.connect() as connection:
            outer = await connection.begin()
            await connection.execute(text("SELECT 1"))  # a turn reads before it writes
            nested = await connection.begin_nested()  # writer._savepoint
            await connection.execute(text("INSERT INTO t VALUES (1)"))
            await nested.commit()  # the turn is done; the batch goes on
            other = sqlite3.connect(path)
            try:
                (seen,) = other.execute("SELECT count(*) FROM t").fetchone()
            finally:
                other.close()
            await outer.rollback()  # the batch fails (or the process dies) before its commit
        assert seen == 0, "a write was committed alone, before its batch (and its events)"
        async with engine.connect() as connection:
            kept = (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one()
        assert kept == 0, "a batch that did not commit kept a write"
    finally:
        await engine.dispose()
