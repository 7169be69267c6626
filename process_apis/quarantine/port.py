"""The quarantine store port and the records it keeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class QuarantineStatus(StrEnum):
    """Pending while the gateway retries it on its own (the ERP could not take it *for now*);
    open (in review) once a person must judge it; closed as replayed (placed) or discarded."""

    PENDING = "pending"
    OPEN = "open"
    REPLAYED = "replayed"
    DISCARDED = "discarded"


@dataclass(frozen=True)
class ErpErrorInfo:
    """What the ERP answered, as an operator needs it: its code (or the kind of failure)
    and its message, with credentials and query strings removed."""

    code: str
    message: str


@dataclass(frozen=True)
class NewQuarantined:
    """A command to keep: ``payload`` is its JSON form, complete enough to run it again."""

    kind: str
    connection: str
    payload: Mapping[str, Any]
    reason: str
    erp_error: ErpErrorInfo | None = None
    idempotency_key: str | None = None
    retry_at: dt.datetime | None = None
    """Set to keep the command pending: the gateway retries it from then on by itself."""


@dataclass(frozen=True)
class QuarantinedRecord:
    """A kept request: its latest failure, how often it was tried, and how it was resolved.

    ``lease_until`` is set while a replay runs, so that no second replay (or discard)
    starts meanwhile; ``resolution_result`` names what a replay created (the order id).
    """

    id: str
    kind: str
    connection: str
    idempotency_key: str | None
    payload: Mapping[str, Any]
    reason: str
    erp_error: ErpErrorInfo | None
    attempts: int
    status: QuarantineStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    resolved_at: dt.datetime | None = None
    resolved_by: str | None = None
    resolution_note: str | None = None
    resolution_result: str | None = None
    lease_until: dt.datetime | None = None
    retry_at: dt.datetime | None = None
    """When the gateway next retries a pending record on its own; None once in review."""

    @property
    def unresolved(self) -> bool:
        """Pending or open: the record still holds its request (and its idempotency key)."""
        return self.status in (QuarantineStatus.PENDING, QuarantineStatus.OPEN)

    def as_json(self) -> dict[str, Any]:
        """The record as plain JSON values (for the CLI and logs)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "connection": self.connection,
            "idempotency_key": self.idempotency_key,
            "status": self.status.value,
            "attempts": self.attempts,
            "reason": self.reason,
            "erp_error": None
            if self.erp_error is None
            else {"code": self.erp_error.code, "message": self.erp_error.message},
            "payload": dict(self.payload),
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "resolved_at": None if self.resolved_at is None else self.resolved_at.isoformat(),
            "resolved_by": self.resolved_by,
            "resolution_note": self.resolution_note,
            "resolution_result": self.resolution_result,
            "retry_at": None if self.retry_at is None else self.retry_at.isoformat(),
        }


@dataclass(frozen=True)
class QuarantineFilter:
    """Which records to list; None matches any."""

    status: QuarantineStatus | None = None
    kind: str | None = None
    connection: str | None = None


@dataclass(frozen=True)
class QuarantinePage:
    """Records oldest first (the order to review them in), and how many match in all."""

    items: tuple[QuarantinedRecord, ...]
    total: int
    offset: int


class QuarantineStore(Protocol):
    """Durable quarantine shared by every replica of the gateway.

    Changes that need an unresolved record (pending or open: editing, replaying, resolving)
    are single atomic statements that return None when the record does not exist or is
    resolved;
    ``start_attempt`` also takes a lease so that one replay at a time runs per record.
    """

    async def add(self, entry: NewQuarantined) -> QuarantinedRecord:
        """Store a new record with ``attempts`` = 1: pending when ``entry.retry_at`` is set,
        else open."""
        ...

    async def due(self, now: dt.datetime, *, limit: int) -> tuple[QuarantinedRecord, ...]:
        """Pending records whose retry time has come and that no replay holds, the earliest
        due first."""
        ...

    async def reschedule(
        self, record_id: str, retry_at: dt.datetime, reason: str, erp_error: ErpErrorInfo | None
    ) -> QuarantinedRecord | None:
        """Keep a pending record pending until ``retry_at``, with its latest failure; ends
        its lease."""
        ...

    async def to_review(
        self, record_id: str, reason: str, erp_error: ErpErrorInfo | None
    ) -> QuarantinedRecord | None:
        """Hand an unresolved record to review (open, no retry time) with the reason; ends
        its lease."""
        ...

    async def get(self, record_id: str) -> QuarantinedRecord | None: ...

    async def list(
        self, filter: QuarantineFilter, *, limit: int, offset: int = 0
    ) -> QuarantinePage:
        """Records matching ``filter``, oldest first."""
        ...

    async def find_by_key(
        self, kind: str, connection: str, idempotency_key: str
    ) -> QuarantinedRecord | None:
        """The newest record holding an idempotency key, in any status."""
        ...

    async def edit_payload(
        self, record_id: str, payload: Mapping[str, Any]
    ) -> QuarantinedRecord | None:
        """Replace the payload of an unresolved record that no replay is running on."""
        ...

    async def start_attempt(
        self, record_id: str, lease_until: dt.datetime
    ) -> QuarantinedRecord | None:
        """Count one more attempt and lease the record until ``lease_until``.

        Only an unresolved record without a live lease qualifies: of two concurrent calls at
        most one gets the record back.
        """
        ...

    async def record_failure(
        self, record_id: str, reason: str, erp_error: ErpErrorInfo | None
    ) -> QuarantinedRecord | None:
        """Keep the record (in its status) with the latest failure, and end its lease."""
        ...

    async def mark_replayed(
        self, record_id: str, *, by: str | None, result: str | None, note: str | None = None
    ) -> QuarantinedRecord | None:
        """Close an unresolved record as replayed; ``result`` names what was created."""
        ...

    async def mark_discarded(
        self, record_id: str, *, by: str | None, note: str
    ) -> QuarantinedRecord | None:
        """Close an unresolved record that no replay is running on as discarded."""
        ...
