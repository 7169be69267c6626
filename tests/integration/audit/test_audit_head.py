"""The audit head's seal on SQLite and PostgreSQL: a tail cut without the key is found, an
emptied log is reported, and a chain written before seals still verifies after upgrading."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.audit.model import GENESIS, AuditEntry, AuditEvent, entry_hash
from process_apis.audit.port import AuditHeadMissing
from process_apis.audit.sql_store import SqlAuditLog
from process_apis.audit.verification import Verification, verify_chain
from process_apis.persistence.audit_tables import audit_head, audit_log
from process_apis.persistence.database import MIGRATIONS, migrate

pytestmark = pytest.mark.integration
KEY = b"h" * 32


def _event(n: int) -> AuditEvent:
    return AuditEvent(actor=f"user-{n}", action="mutation:placeOrder", record=f"EU01:{n}")


async def _verify(log: SqlAuditLog) -> Verification:
    return await verify_chain(KEY, log.entries(), recorded_head=await log.head())


async def _cut_tail(engine: AsyncEngine, keep: int) -> None:
    """What someone with write access but no key does: drop the newest entries and point
    the head at the new last one."""
    async with engine.begin() as conn:
        await conn.execute(delete(audit_log).where(audit_log.c.seq > keep))
        last = (await conn.execute(select(audit_log.c.hash).where(audit_log.c.seq == keep))).one()
        await conn.execute(update(audit_head).values(seq=keep, hash=last.hash))


async def test_cutting_the_tail_is_found_without_an_expected_head(
    state_engine: AsyncEngine,
) -> None:
    log = SqlAuditLog(state_engine, KEY)
    await log.append([_event(n) for n in range(8)])
    assert (await _verify(log)).intact

    await _cut_tail(state_engine, keep=5)
    result = await _verify(log)

    assert result.problems == [
        "the head (entry 5) does not carry its seal: it was moved without the key "
        "(entries cut from the end, or the head rewritten)"
    ]


async def test_removing_the_seal_too_is_found(state_engine: AsyncEngine) -> None:
    log = SqlAuditLog(state_engine, KEY)
    await log.append([_event(n) for n in range(6)])

    await _cut_tail(state_engine, keep=4)
    async with state_engine.begin() as conn:
        await conn.execute(update(audit_head).values(seal=None))
    result = await _verify(log)

    assert any("its seal was removed" in p for p in result.problems), result.problems


@pytest.mark.parametrize("what", ["entries", "entries and head"])
async def test_an_emptied_log_is_reported(state_engine: AsyncEngine, what: str) -> None:
    log = SqlAuditLog(state_engine, KEY)
    await log.append([_event(n) for n in range(3)])

    async with state_engine.begin() as conn:
        await conn.execute(delete(audit_log))
        if what == "entries and head":
            await conn.execute(delete(audit_head))
    result = await _verify(log)

    expected = {
        "entries": "the audit log is empty but its head records 3 entries: every entry was removed",
        "entries and head": "the audit log's head row is missing: the log was emptied, or "
        "its head deleted",
    }[what]
    assert result.problems == [expected]


async def test_nothing_is_appended_to_a_log_without_its_head(state_engine: AsyncEngine) -> None:
    log = SqlAuditLog(state_engine, KEY)
    await log.append([_event(1)])
    async with state_engine.begin() as conn:
        await conn.execute(delete(audit_head))

    with pytest.raises(AuditHeadMissing, match="head row is missing"):
        await log.append([_event(2)])
    assert [e.seq async for e in log.entries()] == [1]


def _alembic(connection: Connection, action: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision)


async def _write_as_before_seals(engine: AsyncEngine, count: int) -> str:
    """Entries and head as the gateway wrote them before heads were sealed."""
    prev, rows = GENESIS, []
    for seq in range(1, count + 1):
        event = _event(seq)
        digest = entry_hash(KEY, seq, prev, event, version=1)
        entry = AuditEntry(**event.model_dump(), seq=seq, prev_hash=prev, hash=digest)
        rows.append(
            {**entry.model_dump(exclude={"outcome", "details", "request_id"}), "outcome": "ok"}
        )
        rows[-1]["details"] = "{}"
        prev = digest
    async with engine.begin() as conn:
        await conn.execute(audit_log.insert(), rows)
        await conn.execute(update(audit_head).values(seq=count, hash=prev))
    return prev


async def test_a_chain_from_before_the_upgrade_still_verifies(state_engine: AsyncEngine) -> None:
    async with state_engine.begin() as conn:
        await conn.run_sync(_alembic, "downgrade", "0008")
    await _write_as_before_seals(state_engine, 4)

    await migrate(state_engine)
    log = SqlAuditLog(state_engine, KEY)
    before_append = await _verify(log)
    await log.append([_event(5)])
    after_append = await _verify(log)
    await _cut_tail(state_engine, keep=4)
    cut = await _verify(log)

    assert before_append.intact, before_append.problems
    assert before_append.entries == 4
    assert any("not sealed yet" in note for note in before_append.notes)
    assert after_append.intact, after_append.problems
    assert (after_append.entries, after_append.notes) == (5, [])
    assert any("does not carry its seal" in p for p in cut.problems), cut.problems


async def test_entries_appended_while_verifying_are_no_tampering(
    state_engine: AsyncEngine,
) -> None:
    log = SqlAuditLog(state_engine, KEY)
    await log.append([_event(n) for n in range(3)])
    head = await log.head()  # read, then a live gateway appends before the entries are read
    await log.append([_event(n) for n in range(3, 5)])

    result = await verify_chain(KEY, log.entries(), recorded_head=head)

    assert result.intact, result.problems
    assert result.entries == 5
    assert result.notes == [
        "2 entries were appended after the head was read (the log is being written); the "
        "next check compares them with the head"
    ]


async def test_forged_entries_after_the_head_are_still_found(state_engine: AsyncEngine) -> None:
    log = SqlAuditLog(state_engine, KEY)
    await log.append([_event(n) for n in range(3)])
    head = await log.head()
    await SqlAuditLog(state_engine, b"f" * 32).append([_event(9)])

    result = await verify_chain(KEY, log.entries(), recorded_head=head)

    assert result.problems == ["entry 4 was altered (its hash does not match its content)"]
