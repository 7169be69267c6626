"""Pytest plugin: a migrated state database, on SQLite and on the PostgreSQL service.

Fixtures:

- ``state_engine`` (function, parametrized ``sqlite`` / ``postgresql``): an engine on a
  freshly migrated state database. SQLite is a file in the test's ``tmp_path``; PostgreSQL is
  a schema of its own in the ``test`` database at 127.0.0.1:5432, dropped after the test.
- ``sqlite_state_engine`` (function): the SQLite case alone, for tests that need a real state
  file but nothing specific to a server.

Without a reachable PostgreSQL the ``postgresql`` cases skip, or fail when ``CI`` is set.
Gateways run as child processes get a database of their own from ``postgres_database``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from process_apis.persistence.database import create_engine, migrate
from tests.support.services import HOST, POSTGRES_PORT, require_postgres

PG_ADDRESS = f"{HOST}:{POSTGRES_PORT}"
PG_URL = f"postgresql+asyncpg://postgres@{PG_ADDRESS}/test"
"""The SQLAlchemy URL of the PostgreSQL service's ``test`` database."""
STATE_BACKENDS = ("sqlite", "postgresql")


async def sqlite_state(path: Path) -> AsyncEngine:
    """An engine on a migrated SQLite state file at ``path``."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await migrate(engine)
    return engine


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[AsyncEngine]:
    """An engine on a migrated schema of its own in the PostgreSQL ``test`` database."""
    require_postgres()
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


async def _admin(statement: str) -> None:
    conn = await asyncpg.connect(f"postgresql://postgres@{PG_ADDRESS}/test")
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for a gateway in a child process; yields its name.

    Synchronous, for fixtures of end-to-end tests; the database is dropped afterwards even
    while a process still holds connections to it.
    """
    require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        asyncio.run(_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


def database_url(name: str) -> str:
    """The SQLAlchemy URL the gateway takes (``ERP_GATEWAY_DATABASE_URL``) for database ``name``."""
    return f"postgresql+asyncpg://postgres@{PG_ADDRESS}/{name}"


def database_dsn(name: str) -> str:
    """The libpq DSN (for asyncpg) of database ``name``."""
    return f"postgresql://postgres@{PG_ADDRESS}/{name}"


@pytest.fixture(params=STATE_BACKENDS)
async def state_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = await sqlite_state(tmp_path / "state.sqlite")
        try:
            yield engine
        finally:
            await engine.dispose()
        return
    async with postgres_schema() as engine:
        yield engine


@pytest.fixture
async def sqlite_state_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = await sqlite_state(tmp_path / "state.sqlite")
    try:
        yield engine
    finally:
        await engine.dispose()
