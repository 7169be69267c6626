"""The audit log on SQLite and PostgreSQL: every kind of tampering with its rows is found.

The chain itself (appends, reads, concurrent writers) is in tests/contract/state."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.audit.model import AuditEvent, Outcome
from process_apis.audit.sql_store import SqlAuditLog
from process_apis.audit.verification import verify_chain
from process_apis.persistence.audit_tables import audit_head, audit_log

pytestmark = pytest.mark.integration
KEY = b"k" * 32


def _event(n: int, **changes: object) -> AuditEvent:
    values: dict[str, object] = {
        "actor": f"user-{n % 3}",
        "client_id": "dashboard",
        "action": "mutation:placeOrder",
        "connection": "EU01",
        "record": f"EU01:{n}",
        "outcome": Outcome.OK,
        "details": {"idempotencyKey": f"k{n}"},
    }
    values.update(changes)
    return AuditEvent.model_validate(values)


async def _verify(log: SqlAuditLog, key: bytes = KEY, **kwargs: object):  # type: ignore[no-untyped-def]
    return await verify_chain(key, log.entries(), recorded_head=await log.head(), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("edit_outcome", "entry 5 was altered"),
        ("edit_actor", "entry 5 was altered"),
        ("delete_middle", "entries 5..5 are missing"),
        ("delete_tail", "the log ends at entry 9"),
    ],
)
async def test_tampering_is_found(state_engine: AsyncEngine, tamper: str, expected: str) -> None:
    log = SqlAuditLog(state_engine, KEY)
    await log.append([_event(n) for n in range(10)])
    async with state_engine.begin() as conn:
        if tamper == "edit_outcome":
            await conn.execute(
                update(audit_log).where(audit_log.c.seq == 5).values(outcome="rejected")
            )
        elif tamper == "edit_actor":
            await conn.execute(update(audit_log).where(audit_log.c.seq == 5).values(actor="x"))
        elif tamper == "delete_middle":
            await conn.execute(delete(audit_log).where(audit_log.c.seq == 5))
        else:
            await conn.execute(delete(audit_log).where(audit_log.c.seq == 10))

    result = await _verify(log)
    assert not result.intact
    assert any(expected in p for p in result.problems), result.problems


async def test_rewriting_the_whole_chain_needs_the_key(state_engine: AsyncEngine) -> None:
    # Someone with write access but not the key rebuilds every hash after an edit.
    log = SqlAuditLog(state_engine, KEY)
    await log.append([_event(n) for n in range(5)])
    forger = SqlAuditLog(state_engine, b"f" * 32)
    async with state_engine.begin() as conn:
        await conn.execute(delete(audit_log))
        await conn.execute(update(audit_head).values(seq=0, hash="0" * 64))
    await forger.append([_event(n, actor="someone-else") for n in range(5)])

    result = await _verify(log)
    assert not result.intact
    assert sum("was altered" in p for p in result.problems) == 5


async def test_a_noted_head_must_stay_in_the_chain(state_engine: AsyncEngine) -> None:
    log = SqlAuditLog(state_engine, KEY)
    await log.append([_event(n) for n in range(4)])
    head = await log.head()
    assert head is not None
    noted = head.hash
    await log.append([_event(n) for n in range(4, 6)])
    assert (await _verify(log, expected_head=noted)).intact

    result = await _verify(log, expected_head="f" * 64)
    assert any("expected hash" in p for p in result.problems)
