"""The audit chain's rules, without a database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import pytest

from experience_api.security.audit_trail import _plain
from process_apis.audit.model import GENESIS, AuditEntry, AuditEvent, chain
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


async def feed(entries: Iterable[AuditEntry]) -> AsyncIterator[AuditEntry]:
    for entry in entries:
        yield entry


async def test_an_untouched_chain_verifies() -> None:
    entries = build(5)
    result = await verify_chain(KEY, feed(entries), recorded_head=(5, entries[-1].hash))
    assert result.intact
    assert result.entries == 5


async def test_an_empty_log_verifies() -> None:
    result = await verify_chain(KEY, feed([]), recorded_head=(0, GENESIS))
    assert result.intact
    assert result.head_hash == GENESIS


async def test_swapping_two_entries_is_found() -> None:
    entries = build(4)
    swapped = [entries[0], entries[2], entries[1], entries[3]]
    result = await verify_chain(KEY, feed(swapped), recorded_head=(4, entries[-1].hash))
    assert not result.intact


async def test_another_key_fails_every_entry() -> None:
    entries = build(3)
    result = await verify_chain(b"y" * 32, feed(entries), recorded_head=(3, entries[-1].hash))
    assert sum("altered" in p for p in result.problems) == 3


def test_arguments_keep_no_secrets() -> None:
    plain = _plain({"input": {"url": "https://x", "secret": "whsec_abc", "bankIban": "DE89"}})
    assert plain == {
        "input": {"url": "https://x", "secret": "[redacted]", "bankIban": "[redacted]"}
    }
