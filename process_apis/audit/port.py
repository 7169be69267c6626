"""The audit log port the flows and the API record through."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from process_apis.audit.model import AuditEntry, AuditEvent, AuditHead


class AuditLog(Protocol):
    """An append-only, hash-chained log.

    ``append`` returns only once the entries are committed: a caller that must not go on
    without its record (a read of payroll data) can rely on that.
    """

    async def append(self, events: Sequence[AuditEvent]) -> list[AuditEntry]: ...

    def entries(self, *, after_seq: int = 0) -> AsyncIterator[AuditEntry]:
        """Every entry in sequence order, read in batches."""
        ...

    async def head(self) -> AuditHead | None:
        """The newest entry's number, hash and seal as recorded at the last append; None
        when the head is gone (the log was emptied)."""
        ...


class AuditHeadMissing(Exception):
    """The log's head is gone (someone emptied the log): nothing can be appended to a
    chain whose end is unknown."""
