"""Writers on the SQLite state file: served in the order they came, none left waiting."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

WRITERS = 10


async def test_writers_waiting_for_the_lock_are_served_in_the_order_they_came(
    sqlite_state_engine: AsyncEngine,
) -> None:
    engine = sqlite_state_engine
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE arrivals (n INTEGER NOT NULL)"))
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold_the_lock() -> None:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO arrivals (n) VALUES (-1)"))
            holding.set()
            await release.wait()

    async def write(n: int) -> None:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO arrivals (n) VALUES (:n)"), {"n": n})

    holder = asyncio.create_task(hold_the_lock())
    await asyncio.wait_for(holding.wait(), 30)
    writers = []
    for n in range(WRITERS):
        writers.append(asyncio.create_task(write(n)))
        await asyncio.sleep(0.05)  # each one is waiting before the next comes
    release.set()
    await asyncio.wait_for(asyncio.gather(holder, *writers), 60)

    async with engine.connect() as conn:
        order = (await conn.execute(text("SELECT n FROM arrivals ORDER BY rowid"))).scalars()
        assert list(order) == [-1, *range(WRITERS)]
