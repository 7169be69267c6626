"""Checking an audit log: every entry unchanged, none removed, none inserted, the head
where the chain ends and sealed with the key."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterable
from dataclasses import dataclass, field

from process_apis.audit.model import (
    GENESIS,
    SEALED_FORMAT,
    AuditEntry,
    AuditHead,
    entry_format,
    head_seal,
)


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

    ``recorded_head`` is read before the entries: entries after a sealed head were appended
    while the check ran (a live gateway); they are checked like the others, but the head is
    compared with the entry it names, and a note says how many came later.
    """
    result = Verification()
    prev_seq, prev_hash = 0, GENESIS
    expected_seen = expected_head is None
    sealed_format = later = 0
    checked_up_to = _sealed_seq(key, recorded_head)

    def problem(message: str) -> None:
        if len(result.problems) < max_problems:
            result.problems.append(message)

    end_at_head: tuple[int, str] | None = None
    async for entry in entries:
        result.entries += 1
        if checked_up_to is not None and entry.seq > checked_up_to:
            later += 1
        elif entry.seq == checked_up_to:
            end_at_head = (entry.seq, entry.hash)
        if entry.seq != prev_seq + 1:
            problem(f"entries {prev_seq + 1}..{entry.seq - 1} are missing")
        if entry.prev_hash != prev_hash:
            problem(f"entry {entry.seq} does not link to the entry before it")
        version = entry_format(key, entry)
        if version is None:
            problem(f"entry {entry.seq} was altered (its hash does not match its content)")
        elif version >= SEALED_FORMAT:
            sealed_format += 1
        prev_seq, prev_hash = entry.seq, entry.hash
        expected_seen = expected_seen or hmac.compare_digest(entry.hash, expected_head or "")
    result.head_seq, result.head_hash = prev_seq, prev_hash
    end = end_at_head if later and end_at_head is not None else (prev_seq, prev_hash)
    for message in _head_problems(key, recorded_head, end, result.entries, sealed_format):
        problem(message)
    if not result.entries and not result.problems:
        result.notes.append("the audit log is empty: nothing has been recorded yet")
    legacy = recorded_head is not None and recorded_head.seal is None and not sealed_format
    if legacy and result.entries:
        result.notes.append(
            "the head is not sealed yet: the log has not been written since the "
            "upgrade that seals it; the next entry seals it"
        )
    if later:
        result.notes.append(
            f"{later} entries were appended after the head was read (the log is being "
            "written); the next check compares them with the head"
        )
    if not expected_seen:
        problem("no entry has the expected hash: the log was rewritten or cut back")
    return result


def _sealed_seq(key: bytes, head: AuditHead | None) -> int | None:
    """The number of a head whose seal holds: nothing after it was there when it was read."""
    if head is None or head.seal is None:
        return None
    if not hmac.compare_digest(head_seal(key, head.seq, head.hash), head.seal):
        return None
    return head.seq


def _head_problems(
    key: bytes, head: AuditHead | None, end: tuple[int, str], entries: int, sealed_entries: int
) -> list[str]:
    if head is None:
        remaining = f"; {entries} entries remain" if entries else ""
        return [
            "the audit log's head row is missing: the log was emptied, or its head deleted"
            + remaining
        ]
    problems = []
    if (head.seq, head.hash) != end:
        if entries == 0:
            problems.append(
                f"the audit log is empty but its head records {head.seq} entries: "
                "every entry was removed"
            )
        else:
            problems.append(
                f"the log ends at entry {end[0]} but the recorded head is entry "
                f"{head.seq} (entries were removed from the end, or the head was altered)"
            )
    if head.seal is None:
        if sealed_entries:
            problems.append(
                "the head carries no seal although entries were written since heads are "
                "sealed: its seal was removed (entries may have been cut from the end)"
            )
    elif not hmac.compare_digest(head_seal(key, head.seq, head.hash), head.seal):
        problems.append(
            f"the head (entry {head.seq}) does not carry its seal: it was moved without the "
            "key (entries cut from the end, or the head rewritten)"
        )
    return problems
