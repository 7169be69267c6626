"""An audit log in a list, chained with the same keyed hashes as the SQL one."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from process_apis.audit.model import GENESIS, AuditEntry, AuditEvent, AuditHead, chain, head_seal
from process_apis.audit.port import AuditHeadMissing


@dataclass
class AuditTrail:
    """What the log holds; logs sharing one trail stand for replicas sharing a database."""

    entries: list[AuditEntry] = field(default_factory=list)
    head: AuditHead | None = field(default_factory=lambda: AuditHead(0, GENESIS, None))
    """None once the head is gone (the log was emptied)."""


class MemoryAuditLog:
    """Appends are atomic because they never wait in between."""

    def __init__(self, key: bytes, trail: AuditTrail | None = None) -> None:
        if len(key) < 16:
            raise ValueError("the audit key must be at least 16 bytes")
        self._key = key
        self.trail = trail if trail is not None else AuditTrail()

    async def append(self, events: Sequence[AuditEvent]) -> list[AuditEntry]:
        if not events:
            return []
        if self.trail.head is None:
            raise AuditHeadMissing("the audit log's head is missing (the log was emptied)")
        seq, prev = self.trail.head.seq, self.trail.head.hash
        written: list[AuditEntry] = []
        for event in events:
            seq += 1
            entry = chain(self._key, seq, prev, event)
            written.append(entry)
            prev = entry.hash
        # Kept as the SQL log reads them back: details through JSON.
        self.trail.entries.extend(
            e.model_copy(update={"details": json.loads(json.dumps(e.details, default=str))})
            for e in written
        )
        self.trail.head = AuditHead(seq, prev, head_seal(self._key, seq, prev))
        return written

    async def entries(self, *, after_seq: int = 0) -> AsyncIterator[AuditEntry]:
        for entry in list(self.trail.entries):
            if entry.seq > after_seq:
                yield entry

    async def head(self) -> AuditHead | None:
        return self.trail.head
