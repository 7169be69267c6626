"""The quarantine store on SQL: SQLite for the embedded default, PostgreSQL in production."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.persistence.tables import quarantine as t
from process_apis.persistence.times import maybe_utc as _maybe_utc
from process_apis.persistence.times import utc as _utc
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


def _record(row: Row[Any]) -> QuarantinedRecord:
    return QuarantinedRecord(
        id=row.id,
        kind=row.kind,
        connection=row.connection,
        idempotency_key=row.idempotency_key,
        payload=json.loads(row.payload),
        reason=row.reason,
        erp_error=None
        if row.erp_error_code is None
        else ErpErrorInfo(code=row.erp_error_code, message=row.erp_error_message or ""),
        attempts=row.attempts,
        status=QuarantineStatus(row.status),
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        resolved_at=_maybe_utc(row.resolved_at),
        resolved_by=row.resolved_by,
        resolution_note=row.resolution_note,
        resolution_result=row.resolution_result,
        lease_until=_maybe_utc(row.lease_until),
        retry_at=_maybe_utc(row.retry_at),
    )


_UNRESOLVED = (QuarantineStatus.PENDING.value, QuarantineStatus.OPEN.value)


def _unresolved() -> ColumnElement[bool]:
    return t.c.status.in_(_UNRESOLVED)


def _not_leased(now: dt.datetime) -> ColumnElement[bool]:
    # A lease past its time belongs to a replay that died; it no longer blocks anyone.
    return or_(t.c.lease_until.is_(None), t.c.lease_until < now)


class SqlQuarantineStore:
    """Records in the ``quarantine`` table; every conditional change is one UPDATE."""

    def __init__(self, engine: AsyncEngine):
        self._engine = engine

    async def add(self, entry: NewQuarantined) -> QuarantinedRecord:
        now = _now()
        values = {
            "id": str(uuid.uuid4()),
            "kind": entry.kind,
            "connection": entry.connection,
            "idempotency_key": entry.idempotency_key,
            "payload": json.dumps(dict(entry.payload), sort_keys=True),
            "reason": entry.reason,
            "erp_error_code": entry.erp_error.code if entry.erp_error else None,
            "erp_error_message": entry.erp_error.message if entry.erp_error else None,
            "attempts": 1,
            "status": (
                QuarantineStatus.OPEN if entry.retry_at is None else QuarantineStatus.PENDING
            ).value,
            "retry_at": entry.retry_at,
            "created_at": now,
            "updated_at": now,
        }
        async with self._engine.begin() as conn:
            await conn.execute(t.insert().values(**values))
        record = await self.get(str(values["id"]))
        assert record is not None
        return record

    async def get(self, record_id: str) -> QuarantinedRecord | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(t).where(t.c.id == record_id))).one_or_none()
        return None if row is None else _record(row)

    async def list(
        self, filter: QuarantineFilter, *, limit: int, offset: int = 0
    ) -> QuarantinePage:
        conditions = []
        if filter.status is not None:
            conditions.append(t.c.status == filter.status.value)
        if filter.kind is not None:
            conditions.append(t.c.kind == filter.kind)
        if filter.connection is not None:
            conditions.append(t.c.connection == filter.connection)
        where = and_(True, *conditions)
        async with self._engine.connect() as conn:
            total = (await conn.execute(select(func.count()).select_from(t).where(where))).one()
            rows = await conn.execute(
                select(t).where(where).order_by(t.c.created_at, t.c.id).limit(limit).offset(offset)
            )
            items = tuple(_record(row) for row in rows)
        return QuarantinePage(items=items, total=int(total[0]), offset=offset)

    async def find_by_key(
        self, kind: str, connection: str, idempotency_key: str
    ) -> QuarantinedRecord | None:
        query = (
            select(t)
            .where(
                t.c.kind == kind,
                t.c.connection == connection,
                t.c.idempotency_key == idempotency_key,
            )
            .order_by(t.c.created_at.desc(), t.c.id.desc())
            .limit(1)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
        return None if row is None else _record(row)

    async def due(self, now: dt.datetime, *, limit: int) -> tuple[QuarantinedRecord, ...]:
        query = (
            select(t)
            .where(
                t.c.status == QuarantineStatus.PENDING.value,
                t.c.retry_at <= now,
                _not_leased(now),
            )
            .order_by(t.c.retry_at, t.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return tuple(_record(row) for row in rows)

    async def reschedule(
        self, record_id: str, retry_at: dt.datetime, reason: str, erp_error: ErpErrorInfo | None
    ) -> QuarantinedRecord | None:
        return await self._change(
            record_id,
            t.c.status == QuarantineStatus.PENDING.value,
            retry_at=retry_at,
            **_failure(reason, erp_error),
        )

    async def to_review(
        self, record_id: str, reason: str, erp_error: ErpErrorInfo | None
    ) -> QuarantinedRecord | None:
        return await self._change(
            record_id,
            None,
            status=QuarantineStatus.OPEN.value,
            retry_at=None,
            **_failure(reason, erp_error),
        )

    async def edit_payload(
        self, record_id: str, payload: Mapping[str, Any]
    ) -> QuarantinedRecord | None:
        now = _now()
        return await self._change(
            record_id,
            _not_leased(now),
            payload=json.dumps(dict(payload), sort_keys=True),
            updated_at=now,
        )

    async def start_attempt(
        self, record_id: str, lease_until: dt.datetime
    ) -> QuarantinedRecord | None:
        now = _now()
        return await self._change(
            record_id,
            _not_leased(now),
            attempts=t.c.attempts + 1,
            lease_until=lease_until,
            updated_at=now,
        )

    async def record_failure(
        self, record_id: str, reason: str, erp_error: ErpErrorInfo | None
    ) -> QuarantinedRecord | None:
        return await self._change(record_id, None, **_failure(reason, erp_error))

    async def mark_replayed(
        self, record_id: str, *, by: str | None, result: str | None, note: str | None = None
    ) -> QuarantinedRecord | None:
        return await self._resolve(record_id, QuarantineStatus.REPLAYED, None, by, note, result)

    async def mark_discarded(
        self, record_id: str, *, by: str | None, note: str
    ) -> QuarantinedRecord | None:
        return await self._resolve(
            record_id, QuarantineStatus.DISCARDED, _not_leased(_now()), by, note, None
        )

    async def _resolve(
        self,
        record_id: str,
        status: QuarantineStatus,
        condition: ColumnElement[bool] | None,
        by: str | None,
        note: str | None,
        result: str | None,
    ) -> QuarantinedRecord | None:
        now = _now()
        return await self._change(
            record_id,
            condition,
            status=status.value,
            resolved_at=now,
            resolved_by=by,
            resolution_note=note,
            resolution_result=result,
            lease_until=None,
            retry_at=None,
            updated_at=now,
        )

    async def _change(
        self, record_id: str, condition: ColumnElement[bool] | None, **values: Any
    ) -> QuarantinedRecord | None:
        """Update an unresolved record (and ``condition``); None when no row qualified."""
        where = [t.c.id == record_id, _unresolved()]
        if condition is not None:
            where.append(condition)
        async with self._engine.begin() as conn:
            result = await conn.execute(update(t).where(*where).values(**values))
        if not result.rowcount:
            return None
        return await self.get(record_id)


def _failure(reason: str, erp_error: ErpErrorInfo | None) -> dict[str, Any]:
    """The columns of a record's latest failure, with its lease ended."""
    return {
        "reason": reason,
        "erp_error_code": erp_error.code if erp_error else None,
        "erp_error_message": erp_error.message if erp_error else None,
        "lease_until": None,
        "updated_at": _now(),
    }
