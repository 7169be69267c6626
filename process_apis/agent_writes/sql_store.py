"""The agents' write requests on SQL (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Row, and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.agent_writes.port import WriteRequest, WriteStatus
from process_apis.persistence.agent_write_tables import agent_write_requests as t
from process_apis.persistence.times import maybe_utc, utc


def _request(row: Row[Any]) -> WriteRequest:
    return WriteRequest(
        id=row.id,
        tool=row.tool,
        arguments=json.loads(row.arguments),
        idempotency_key=row.idempotency_key,
        requester=row.requester,
        client_id=row.client_id,
        principal=json.loads(row.principal),
        status=WriteStatus(row.status),
        created_at=utc(row.created_at),
        expires_at=utc(row.expires_at),
        decided_by=row.decided_by,
        decided_at=maybe_utc(row.decided_at),
        note=row.note,
        result=row.result,
    )


class SqlWriteRequestStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(self, request: WriteRequest) -> WriteRequest:
        values = {
            "id": request.id,
            "tool": request.tool,
            "arguments": json.dumps(dict(request.arguments), sort_keys=True),
            "idempotency_key": request.idempotency_key,
            "requester": request.requester,
            "client_id": request.client_id,
            "principal": json.dumps(dict(request.principal), sort_keys=True),
            "status": request.status.value,
            "created_at": request.created_at,
            "expires_at": request.expires_at,
        }
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(t).values(**values))
            return request
        except IntegrityError:
            same = and_(
                t.c.client_id == request.client_id,
                t.c.tool == request.tool,
                t.c.idempotency_key == request.idempotency_key,
            )
            async with self.engine.connect() as conn:
                row = (await conn.execute(select(t).where(same))).one()
            return _request(row)

    async def get(self, request_id: str) -> WriteRequest | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t).where(t.c.id == request_id))).one_or_none()
        return None if row is None else _request(row)

    async def list(self, status: WriteStatus | None, limit: int) -> list[WriteRequest]:
        query = select(t).order_by(t.c.created_at.desc(), t.c.id).limit(limit)
        if status is not None:
            query = query.where(t.c.status == status.value)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_request(row) for row in rows]

    async def transition(
        self,
        request_id: str,
        expected: WriteStatus,
        status: WriteStatus,
        *,
        by: str | None = None,
        at: dt.datetime | None = None,
        note: str | None = None,
        result: str | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": status.value}
        if by is not None:
            values.update(decided_by=by, decided_at=at)
        if note is not None:
            values["note"] = note
        if result is not None:
            values["result"] = result
        async with self.engine.begin() as conn:
            done = await conn.execute(
                update(t).where(t.c.id == request_id, t.c.status == expected.value).values(**values)
            )
        return bool(done.rowcount)
