"""Checking an audit log: every entry unchanged, none removed, none inserted."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterable
from dataclasses import dataclass, field

from process_apis.audit.model import GENESIS, AuditEntry, AuditEvent, entry_hash


@dataclass
class Verification:
    """The outcome of checking the chain; ``problems`` is empty when it is intact."""

    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


async def verify_chain(
    key: bytes,
    entries: AsyncIterable[AuditEntry],
    *,
    recorded_head: tuple[int, str] | None,
    expected_head: str | None = None,
    max_problems: int = 50,
) -> Verification:
    """Walk ``entries`` in sequence order and report every break.

    An edited entry no longer matches its hash; a deleted one leaves a gap in the numbers
    and a broken link; deleting the newest entries is caught against ``recorded_head``
    (kept in its own row, updated with every append) and against ``expected_head``, a
    hash the operator noted elsewhere.
    """
    result = Verification()
    prev_seq, prev_hash = 0, GENESIS
    expected_seen = expected_head is None

    def problem(message: str) -> None:
        if len(result.problems) < max_problems:
            result.problems.append(message)

    async for entry in entries:
        result.entries += 1
        if entry.seq != prev_seq + 1:
            problem(f"entries {prev_seq + 1}..{entry.seq - 1} are missing")
        if entry.prev_hash != prev_hash:
            problem(f"entry {entry.seq} does not link to the entry before it")
        event = AuditEvent.model_validate(entry.model_dump(exclude={"seq", "prev_hash", "hash"}))
        if not hmac.compare_digest(entry_hash(key, entry.seq, entry.prev_hash, event), entry.hash):
            problem(f"entry {entry.seq} was altered (its hash does not match its content)")
        prev_seq, prev_hash = entry.seq, entry.hash
        expected_seen = expected_seen or hmac.compare_digest(entry.hash, expected_head or "")
    result.head_seq, result.head_hash = prev_seq, prev_hash
    if recorded_head is not None and recorded_head != (prev_seq, prev_hash):
        problem(
            f"the log ends at entry {prev_seq} but the recorded head is entry {recorded_head[0]}"
            " (entries were removed from the end, or the head was altered)"
        )
    if not expected_seen:
        problem("no entry has the expected hash: the log was rewritten or cut back")
    return result
