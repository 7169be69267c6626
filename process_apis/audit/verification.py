"""Checking an audit log: every entry unchanged, none removed, none inserted, the head
where the chain ends and sealed with the key."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterable
from dataclasses import dataclass, field

from process_apis.audit.model import FORMAT, GENESIS, AuditEntry, AuditHead, entry_format, head_seal


@dataclass
class Verification:
    """The outcome of checking the chain; ``problems`` is empty when it is intact.
    ``notes`` say what is worth knowing but is no tampering (an empty log, an unsealed head
    of a log not written since the upgrade)."""

    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


async def verify_chain(
    key: bytes,
    entries: AsyncIterable[AuditEntry],
    *,
    recorded_head: AuditHead | None,
    expected_head: str | None = None,
    max_problems: int = 50,
) -> Verification:
    """Walk ``entries`` in sequence order and report every break.

    An edited entry no longer matches its hash; a deleted one leaves a gap in the numbers
    and a broken link; deleting the newest entries is caught against ``recorded_head``
    (kept in its own row, updated and sealed with the key at every append: whoever moves it
    back without the key breaks its seal), and against ``expected_head``, a hash the
    operator noted elsewhere. ``recorded_head`` None means the head row is gone.
    """
    result = Verification()
    prev_seq, prev_hash = 0, GENESIS
    expected_seen = expected_head is None
    sealed_format = 0

    def problem(message: str) -> None:
        if len(result.problems) < max_problems:
            result.problems.append(message)

    async for entry in entries:
        result.entries += 1
        if entry.seq != prev_seq + 1:
            problem(f"entries {prev_seq + 1}..{entry.seq - 1} are missing")
        if entry.prev_hash != prev_hash:
            problem(f"entry {entry.seq} does not link to the entry before it")
        version = entry_format(key, entry)
        if version is None:
            problem(f"entry {entry.seq} was altered (its hash does not match its content)")
        elif version == FORMAT:
            sealed_format += 1
        prev_seq, prev_hash = entry.seq, entry.hash
        expected_seen = expected_seen or hmac.compare_digest(entry.hash, expected_head or "")
    result.head_seq, result.head_hash = prev_seq, prev_hash
    for message in _head_problems(key, recorded_head, result, sealed_format):
        problem(message)
    if not result.entries and not result.problems:
        result.notes.append("the audit log is empty: nothing has been recorded yet")
    if not expected_seen:
        problem("no entry has the expected hash: the log was rewritten or cut back")
    return result


def _head_problems(
    key: bytes, head: AuditHead | None, result: Verification, sealed_entries: int
) -> list[str]:
    if head is None:
        remaining = f"; {result.entries} entries remain" if result.entries else ""
        return [
            "the audit log's head row is missing: the log was emptied, or its head deleted"
            + remaining
        ]
    problems = []
    if (head.seq, head.hash) != (result.head_seq, result.head_hash):
        if result.entries == 0:
            problems.append(
                f"the audit log is empty but its head records {head.seq} entries: "
                "every entry was removed"
            )
        else:
            problems.append(
                f"the log ends at entry {result.head_seq} but the recorded head is entry "
                f"{head.seq} (entries were removed from the end, or the head was altered)"
            )
    if head.seal is None:
        if sealed_entries:
            problems.append(
                "the head carries no seal although entries were written since heads are "
                "sealed: its seal was removed (entries may have been cut from the end)"
            )
        elif result.entries:
            result.notes.append(
                "the head is not sealed yet: the log has not been written since the "
                "upgrade that seals it; the next entry seals it"
            )
    elif not hmac.compare_digest(head_seal(key, head.seq, head.hash), head.seal):
        problems.append(
            f"the head (entry {head.seq}) does not carry its seal: it was moved without the "
            "key (entries cut from the end, or the head rewritten)"
        )
    return problems
