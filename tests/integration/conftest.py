"""A migrated state database for store tests: SQLite, and the PostgreSQL service.

PostgreSQL runs at 127.0.0.1:5432 (database ``test``); each test gets a schema of its own.
Outside CI a missing server skips those cases; in CI it fails them.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from process_apis.persistence.database import create_engine, migrate

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_URL = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test"


def _postgres_up() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
async def state_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'state.sqlite'}")
        await migrate(engine)
        yield engine
        await engine.dispose()
        return
    if not _postgres_up():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not reachable")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_async_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        await migrate(engine)
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
