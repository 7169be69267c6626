"""The SQLite state engine's driver: one call on aiosqlite's thread per statement, with the
answers SQLAlchemy's own cursor gives (rows, row counts, generated keys, errors)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

metadata = MetaData()
items = Table(
    "driver_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
)


@pytest.fixture
async def engine(sqlite_state_engine: AsyncEngine) -> AsyncEngine:
    async with sqlite_state_engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return sqlite_state_engine


async def test_rows_counts_and_keys_are_answered(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        added = await conn.execute(insert(items).values(name="a"))
        assert added.inserted_primary_key == (1,)
        many = await conn.execute(insert(items), [{"name": "b"}, {"name": "c"}])
        assert many.rowcount == 2
        changed = await conn.execute(
            update(items).where(items.c.name != "a").values(name=items.c.name + "!")
        )
        assert changed.rowcount == 2
        returned = await conn.execute(
            update(items).where(items.c.id == 1).values(name="z").returning(items.c.id)
        )
        assert returned.all() == [(1,)]
    async with engine.connect() as conn:
        result = await conn.execute(select(items).order_by(items.c.id))
        assert list(result.keys()) == ["id", "name"]
        assert result.all() == [(1, "z"), (2, "b!"), (3, "c!")]
        assert (await conn.execute(select(items).where(items.c.id == 9))).all() == []


async def test_a_failing_statement_raises_and_its_transaction_rolls_back(
    engine: AsyncEngine,
) -> None:
    async def add_twice() -> None:
        async with engine.begin() as conn:
            await conn.execute(insert(items).values(name="a"))
            await conn.execute(insert(items).values(name="a"))

    with pytest.raises(IntegrityError):
        await add_twice()
    async with engine.connect() as conn:
        assert (await conn.execute(select(items))).all() == []


async def test_a_statement_is_one_call_on_the_drivers_thread(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(items), [{"name": "a"}, {"name": "b"}])
    # aiosqlite logs every call its thread makes.
    with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
        async with engine.connect() as conn:
            caplog.clear()
            rows = (await conn.execute(text("SELECT name FROM driver_items ORDER BY id"))).all()
            calls = [r for r in caplog.records if r.getMessage().startswith("executing")]
    assert rows == [("a",), ("b",)]
    assert len(calls) == 1


async def test_a_write_transaction_is_its_statements_and_one_commit(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
        caplog.clear()
        async with engine.begin() as conn:
            await conn.execute(insert(items).values(name="a"))
        async with engine.begin() as conn:  # reads only: nothing to commit
            await conn.execute(select(items))
        calls = [r.getMessage() for r in caplog.records if r.getMessage().startswith("executing")]
    # The insert, its commit, the select; no rollback when the pool takes a connection back.
    assert len(calls) == 3
    assert sum("commit" in c for c in calls) == 1
    assert not any("rollback" in c for c in calls)
    async with engine.connect() as conn:
        assert (await conn.execute(select(items.c.name))).all() == [("a",)]
