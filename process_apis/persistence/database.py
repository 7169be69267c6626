"""Engine creation and schema migration for the gateway's state database."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from process_apis.persistence.sqlite_driver import OneTripDbapi
from process_apis.persistence.sqlite_engine import SqliteEngine

MIGRATIONS = Path(__file__).parent / "migrations"


SqliteSynchronous = Literal["full", "normal"]


def create_engine(url: str, *, sqlite_synchronous: SqliteSynchronous = "full") -> AsyncEngine:
    """An async engine for a SQLAlchemy URL (``sqlite+aiosqlite:///...``, ``postgresql+asyncpg://...``).

    On SQLite, ``sqlite_synchronous`` is when a commit waits for the disk. ``normal`` (in WAL
    mode): never; the log is synced at checkpoints. Nothing committed is lost when the process
    dies, however it dies, and the file is never left inconsistent; an operating-system crash
    or a power cut may take back the last commits before a checkpoint. ``full``: every commit
    waits for its fsync (milliseconds each, one writer at a time), which caps the state
    database at a few hundred commits per second.
    """
    if url.startswith("sqlite"):
        # One trip to the driver's thread per statement (see sqlite_driver).
        engine = create_async_engine(url, connect_args={"timeout": 30}, module=OneTripDbapi())

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # WAL lets readers proceed while one writer commits; the state file is shared
            # by the gateway's workers.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute(f"PRAGMA synchronous={sqlite_synchronous.upper()}")
            cursor.close()

        # Transactions take turns before asking SQLite for its write lock (see SqliteEngine).
        return SqliteEngine(engine.sync_engine)
    return create_async_engine(url, pool_pre_ping=True)


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the database schema to the newest revision (idempotent)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
