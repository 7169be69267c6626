"""The audit chain's rules, without a database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import pytest

from experience_api.security.audit_trail import _plain
from process_apis.audit.model import (
    GENESIS,
    AuditEntry,
    AuditEvent,
    AuditHead,
    chain,
    entry_hash,
    head_seal,
)
from process_apis.audit.verification import verify_chain

pytestmark = pytest.mark.unit
KEY = b"x" * 32


def build(n: int) -> list[AuditEntry]:
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        entry = chain(
            KEY, seq, prev, AuditEvent(actor="a", action="mutation:x", record=f"EU01:{seq}")
        )
        entries.append(entry)
        prev = entry.hash
    return entries


def sealed(seq: int, hash_: str, key: bytes = KEY) -> AuditHead:
    return AuditHead(seq, hash_, head_seal(key, seq, hash_))


async def feed(entries: Iterable[AuditEntry]) -> AsyncIterator[AuditEntry]:
    for entry in entries:
        yield entry


async def test_an_untouched_chain_verifies() -> None:
    entries = build(5)
    result = await verify_chain(KEY, feed(entries), recorded_head=sealed(5, entries[-1].hash))
    assert result.intact
    assert result.entries == 5


async def test_an_empty_log_verifies() -> None:
    result = await verify_chain(KEY, feed([]), recorded_head=AuditHead(0, GENESIS, None))
    assert result.intact
    assert result.head_hash == GENESIS
    assert result.notes == ["the audit log is empty: nothing has been recorded yet"]


async def test_swapping_two_entries_is_found() -> None:
    entries = build(4)
    swapped = [entries[0], entries[2], entries[1], entries[3]]
    result = await verify_chain(KEY, feed(swapped), recorded_head=sealed(4, entries[-1].hash))
    assert not result.intact


async def test_another_key_fails_every_entry() -> None:
    entries = build(3)
    result = await verify_chain(b"y" * 32, feed(entries), recorded_head=sealed(3, entries[-1].hash))
    assert sum("altered" in p for p in result.problems) == 3


async def test_cutting_the_tail_and_moving_the_head_breaks_its_seal() -> None:
    entries = build(5)
    old_seal = head_seal(KEY, 5, entries[-1].hash)
    moved = AuditHead(3, entries[2].hash, old_seal)

    result = await verify_chain(KEY, feed(entries[:3]), recorded_head=moved)

    assert result.problems == [
        "the head (entry 3) does not carry its seal: it was moved without the key "
        "(entries cut from the end, or the head rewritten)"
    ]


async def test_a_seal_made_with_another_key_does_not_count() -> None:
    entries = build(2)
    forged = sealed(2, entries[-1].hash, key=b"z" * 32)

    result = await verify_chain(KEY, feed(entries), recorded_head=forged)

    assert not result.intact


async def test_removing_the_seal_of_a_sealed_chain_is_found() -> None:
    entries = build(4)

    result = await verify_chain(
        KEY, feed(entries[:2]), recorded_head=AuditHead(2, entries[1].hash, None)
    )

    assert any("its seal was removed" in p for p in result.problems), result.problems


async def test_a_chain_from_before_seals_verifies_with_a_note() -> None:
    legacy, prev = [], GENESIS
    for seq in (1, 2, 3):
        event = AuditEvent(actor="a", action="mutation:x")
        digest = entry_hash(KEY, seq, prev, event, version=1)
        legacy.append(AuditEntry(**event.model_dump(), seq=seq, prev_hash=prev, hash=digest))
        prev = digest

    result = await verify_chain(KEY, feed(legacy), recorded_head=AuditHead(3, prev, None))

    assert result.intact, result.problems
    assert any("not sealed yet" in note for note in result.notes)


async def test_a_missing_head_is_reported() -> None:
    entries = build(2)

    result = await verify_chain(KEY, feed(entries), recorded_head=None)

    assert result.problems == [
        "the audit log's head row is missing: the log was emptied, or its head deleted; "
        "2 entries remain"
    ]


def test_arguments_keep_no_secrets() -> None:
    plain = _plain({"input": {"url": "https://x", "secret": "whsec_abc", "bankIban": "DE89"}})
    assert plain == {
        "input": {"url": "https://x", "secret": "[redacted]", "bankIban": "[redacted]"}
    }
