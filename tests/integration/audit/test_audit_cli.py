"""``erp-gateway audit verify`` and ``tail`` as an operator runs them, on a SQLite state
file and on a PostgreSQL database: exit 0 when intact, 1 with a clear problem when the
tail was cut or the log emptied, never a traceback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from experience_api.cli import main
from experience_api.security.audit_key import load_audit_key
from process_apis.audit.model import AuditEvent
from process_apis.audit.sql_store import SqlAuditLog
from process_apis.persistence.audit_tables import audit_head, audit_log
from process_apis.persistence.database import create_engine, migrate
from tests.support.state import STATE_BACKENDS, database_url, postgres_database

pytestmark = pytest.mark.integration


@pytest.fixture(params=STATE_BACKENDS)
def state_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The gateway's state database, as the CLI finds it from its settings."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite'}"
        return
    with postgres_database("audit_cli") as name:
        monkeypatch.setenv("ERP_GATEWAY_DATABASE_URL", database_url(name))
        yield database_url(name)


async def _record(url: str, data_dir: Path, count: int) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine)
        log = SqlAuditLog(engine, load_audit_key(None, None, data_dir))
        await log.append([AuditEvent(actor="ops", action=f"mutation:n{n}") for n in range(count)])
    finally:
        await engine.dispose()


async def _tamper(url: str, how: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            if how == "cut tail":
                await conn.execute(delete(audit_log).where(audit_log.c.seq > 2))
                last = (
                    await conn.execute(select(audit_log.c.hash).where(audit_log.c.seq == 2))
                ).one()
                await conn.execute(update(audit_head).values(seq=2, hash=last.hash))
            else:
                await conn.execute(delete(audit_log))
                await conn.execute(delete(audit_head))
    finally:
        await engine.dispose()


async def _cli(*args: str) -> int:
    return await asyncio.to_thread(main, ["audit", *args])


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("cut tail", "the head (entry 2) does not carry its seal"),
        ("emptied", "the audit log's head row is missing"),
    ],
)
async def test_verify_exits_1_when_the_log_was_cut_or_emptied(
    state_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    how: str,
    expected: str,
) -> None:
    await _record(state_url, tmp_path, 4)
    assert await _cli("verify", "--data-dir", str(tmp_path)) == 0
    intact = json.loads(capsys.readouterr().out)

    await _tamper(state_url, how)
    code = await _cli("verify", "--data-dir", str(tmp_path))
    summary = json.loads(capsys.readouterr().out)

    assert (intact["intact"], intact["entries"]) == (True, 4)
    assert code == 1
    assert not summary["intact"]
    assert any(expected in p for p in summary["problems"]), summary["problems"]


async def test_tail_of_an_emptied_log_says_so(
    state_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await _record(state_url, tmp_path, 2)
    await _tamper(state_url, "emptied")

    code = await _cli("tail", "--data-dir", str(tmp_path))

    assert code == 1
    assert "head row is missing" in capsys.readouterr().err


async def test_a_log_never_written_verifies_as_empty(
    state_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await _cli("verify", "--data-dir", str(tmp_path))
    summary = json.loads(capsys.readouterr().out)

    assert code == 0
    assert summary["entries"] == 0
    assert summary["notes"] == ["the audit log is empty: nothing has been recorded yet"]
