"""The state database's migrations on SQLite and on the real PostgreSQL service."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.persistence.database import migrate


async def test_migrations_create_the_tables_and_run_twice(state_engine: AsyncEngine) -> None:
    await migrate(state_engine)
    async with state_engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    assert {"idempotency_keys", "quarantine"} <= set(tables)
