"""A quarantine store in a dict, with the same conditional changes as the SQL one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

from process_apis.quarantine.port import (
    ErpErrorInfo,
    NewQuarantined,
    QuarantinedRecord,
    QuarantineFilter,
    QuarantinePage,
    QuarantineStatus,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stored(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as the SQL store keeps it: a JSON copy, detached from the caller's."""
    loaded: dict[str, Any] = json.loads(json.dumps(dict(payload), sort_keys=True))
    return loaded


class MemoryQuarantineStore:
    def __init__(self) -> None:
        self.records: dict[str, QuarantinedRecord] = {}

    async def add(self, entry: NewQuarantined) -> QuarantinedRecord:
        now = _now()
        record = QuarantinedRecord(
            id=str(uuid.uuid4()),
            kind=entry.kind,
            connection=entry.connection,
            idempotency_key=entry.idempotency_key,
            payload=_stored(entry.payload),
            reason=entry.reason,
            erp_error=entry.erp_error,
            attempts=1,
            status=QuarantineStatus.OPEN if entry.retry_at is None else QuarantineStatus.PENDING,
            created_at=now,
            updated_at=now,
            retry_at=entry.retry_at,
        )
        self.records[record.id] = record
        return record

    async def get(self, record_id: str) -> QuarantinedRecord | None:
        return self.records.get(record_id)

    async def list(
        self, filter: QuarantineFilter, *, limit: int, offset: int = 0
    ) -> QuarantinePage:
        matching = [
            r
            for r in sorted(self.records.values(), key=lambda r: (r.created_at, r.id))
            if (filter.status is None or r.status is filter.status)
            and (filter.kind is None or r.kind == filter.kind)
            and (filter.connection is None or r.connection == filter.connection)
        ]
        return QuarantinePage(
            items=tuple(matching[offset : offset + limit]), total=len(matching), offset=offset
        )

    async def find_by_key(
        self, kind: str, connection: str, idempotency_key: str
    ) -> QuarantinedRecord | None:
        held = [
            r
            for r in self.records.values()
            if (r.kind, r.connection, r.idempotency_key) == (kind, connection, idempotency_key)
        ]
        return max(held, key=lambda r: (r.created_at, r.id), default=None)

    async def due(self, now: dt.datetime, *, limit: int) -> tuple[QuarantinedRecord, ...]:
        found = [
            r
            for r in self.records.values()
            if r.status is QuarantineStatus.PENDING
            and r.retry_at is not None
            and r.retry_at <= now
            and (r.lease_until is None or r.lease_until < now)
        ]
        return tuple(sorted(found, key=lambda r: (r.retry_at or now, r.id))[:limit])

    async def reschedule(
        self, record_id: str, retry_at: dt.datetime, reason: str, erp_error: ErpErrorInfo | None
    ) -> QuarantinedRecord | None:
        record = self.records.get(record_id)
        if record is None or record.status is not QuarantineStatus.PENDING:
            return None
        return self._change(
            record_id,
            False,
            retry_at=retry_at,
            reason=reason,
            erp_error=erp_error,
            lease_until=None,
        )

    async def to_review(
        self, record_id: str, reason: str, erp_error: ErpErrorInfo | None
    ) -> QuarantinedRecord | None:
        return self._change(
            record_id,
            False,
            status=QuarantineStatus.OPEN,
            retry_at=None,
            reason=reason,
            erp_error=erp_error,
            lease_until=None,
        )

    async def edit_payload(
        self, record_id: str, payload: Mapping[str, Any]
    ) -> QuarantinedRecord | None:
        return self._change(record_id, True, payload=_stored(payload))

    async def start_attempt(
        self, record_id: str, lease_until: dt.datetime
    ) -> QuarantinedRecord | None:
        record = self.records.get(record_id)
        attempts = record.attempts + 1 if record else 0
        return self._change(record_id, True, attempts=attempts, lease_until=lease_until)

    async def record_failure(
        self, record_id: str, reason: str, erp_error: ErpErrorInfo | None
    ) -> QuarantinedRecord | None:
        return self._change(record_id, False, reason=reason, erp_error=erp_error, lease_until=None)

    async def mark_replayed(
        self, record_id: str, *, by: str | None, result: str | None, note: str | None = None
    ) -> QuarantinedRecord | None:
        return self._resolve(record_id, False, QuarantineStatus.REPLAYED, by, note, result)

    async def mark_discarded(
        self, record_id: str, *, by: str | None, note: str
    ) -> QuarantinedRecord | None:
        return self._resolve(record_id, True, QuarantineStatus.DISCARDED, by, note, None)

    def _resolve(
        self,
        record_id: str,
        unleased: bool,
        status: QuarantineStatus,
        by: str | None,
        note: str | None,
        result: str | None,
    ) -> QuarantinedRecord | None:
        return self._change(
            record_id,
            unleased,
            status=status,
            resolved_at=_now(),
            resolved_by=by,
            resolution_note=note,
            resolution_result=result,
            lease_until=None,
            retry_at=None,
        )

    def _change(self, record_id: str, unleased: bool, **changes: Any) -> QuarantinedRecord | None:
        record = self.records.get(record_id)
        now = _now()
        if record is None or not record.unresolved:
            return None
        if unleased and record.lease_until is not None and record.lease_until >= now:
            return None
        changed = dataclasses.replace(record, updated_at=now, **changes)
        self.records[record_id] = changed
        return changed
