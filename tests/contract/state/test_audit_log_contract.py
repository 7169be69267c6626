"""The audit log contract: the in-memory fake, SQLite and PostgreSQL keep one chain alike.

What operators rely on: appends form one chain that verifies with the key (also when
two replicas append at once), entries read back in sequence order from any point, and
the head names the newest entry. Tampering with the stored rows is checked against the
SQL log alone (tests/integration/audit).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

import pytest

from process_apis.audit.model import GENESIS, AuditEvent, AuditHead, Outcome, head_seal
from process_apis.audit.port import AuditLog
from process_apis.audit.verification import Verification, verify_chain
from tests.contract.state.conftest import Backend

KEY = b"k" * 32
Replica = Callable[[], AuditLog]


@pytest.fixture
def replica(backend: Backend) -> Replica:
    """Makes a log on the shared state, as one more replica of the gateway would."""
    return lambda: backend.audit_log(KEY)


@pytest.fixture
def log(replica: Replica) -> AuditLog:
    return replica()


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


async def _verify(log: AuditLog) -> Verification:
    return await verify_chain(KEY, log.entries(), recorded_head=await log.head())


async def test_an_empty_log_starts_the_chain(log: AuditLog) -> None:
    assert await log.head() == AuditHead(0, GENESIS, None)
    assert await log.append([]) == []
    assert await log.head() == AuditHead(0, GENESIS, None)
    assert [e async for e in log.entries()] == []


async def test_appends_form_one_verifiable_chain(log: AuditLog) -> None:
    for n in range(20):
        await log.append([_event(n)])
    written = await log.append([_event(n) for n in range(20, 25)])

    assert [e.seq for e in written] == [21, 22, 23, 24, 25]
    assert await log.head() == AuditHead(25, written[-1].hash, head_seal(KEY, 25, written[-1].hash))
    result = await _verify(log)
    assert result.intact, result.problems
    assert (result.entries, result.head_seq) == (25, 25)
    assert [e.record async for e in log.entries(after_seq=23)] == ["EU01:23", "EU01:24"]


async def test_entries_read_back_as_appended(log: AuditLog) -> None:
    written = await log.append([_event(1), _event(2, outcome=Outcome.REJECTED, record=None)])
    read = [e async for e in log.entries()]
    assert read == written
    assert all(e.at.tzinfo is not None for e in read)


async def test_details_are_kept_as_json_and_still_verify(log: AuditLog) -> None:
    await log.append([_event(1, details={"amount": Decimal("12.50"), "lines": [1, 2]})])
    [entry] = [e async for e in log.entries()]
    assert entry.details == {"amount": "12.50", "lines": [1, 2]}
    result = await _verify(log)
    assert result.intact, result.problems


async def test_concurrent_writers_never_fork_the_chain(replica: Replica) -> None:
    first, second = replica(), replica()  # two replicas on one state

    async def write(log: AuditLog, start: int) -> None:
        for n in range(start, start + 15):
            await log.append([_event(n)])

    await asyncio.gather(write(first, 0), write(second, 100))
    result = await _verify(first)
    assert result.intact, result.problems
    assert result.entries == 30
    assert await first.head() == await second.head()


def test_a_short_key_is_refused(backend: Backend) -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        backend.audit_log(b"short")
