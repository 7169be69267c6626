"""How the SQLite state file commits: in WAL mode, synced at every commit only when asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from process_apis.persistence.database import SqliteSynchronous, create_engine

# SQLite's codes for PRAGMA synchronous.
CODES = {"normal": 1, "full": 2}


@pytest.mark.parametrize("mode", ["normal", "full"])
async def test_state_file_commits_in_wal_with_the_configured_sync(
    tmp_path: Path, mode: SqliteSynchronous
) -> None:
    engine = create_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'state.sqlite'}", sqlite_synchronous=mode
    )
    try:
        async with engine.connect() as conn:
            journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
            synchronous = (await conn.execute(text("PRAGMA synchronous"))).scalar_one()
    finally:
        await engine.dispose()
    assert journal == "wal"
    assert synchronous == CODES[mode]


async def test_state_file_syncs_every_commit_by_default(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'state.sqlite'}")
    try:
        async with engine.connect() as conn:
            synchronous = (await conn.execute(text("PRAGMA synchronous"))).scalar_one()
    finally:
        await engine.dispose()
    assert synchronous == CODES["full"]
