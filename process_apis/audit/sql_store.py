"""The audit log on the state database (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.audit.model import AuditEntry, AuditEvent, AuditHead, Outcome, chain, head_seal
from process_apis.audit.port import AuditHeadMissing
from process_apis.persistence.audit_tables import audit_head, audit_log
from process_apis.persistence.times import utc


class SqlAuditLog:
    """Appends lock the single head row first, so concurrent writers (several replicas)
    take turns and the chain never forks; each append seals the new head."""

    def __init__(self, engine: AsyncEngine, key: bytes, *, batch_size: int = 500):
        if len(key) < 16:
            raise ValueError("the audit key must be at least 16 bytes")
        self._engine = engine
        self._key = key
        self._batch = batch_size

    async def append(self, events: Sequence[AuditEvent]) -> list[AuditEntry]:
        if not events:
            return []
        async with self._engine.begin() as conn:
            # A no-op write takes the write lock (a row lock on PostgreSQL, the database
            # lock on SQLite) before the head is read.
            await conn.execute(
                update(audit_head).where(audit_head.c.id == 1).values(seq=audit_head.c.seq)
            )
            head = (
                await conn.execute(
                    select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
                )
            ).one_or_none()
            if head is None:
                raise AuditHeadMissing(
                    "the audit log's head row is missing (the log was emptied); "
                    "run 'erp-gateway audit verify' and restore the log from a backup"
                )
            seq, prev = int(head.seq), str(head.hash)
            written: list[AuditEntry] = []
            for event in events:
                seq += 1
                entry = chain(self._key, seq, prev, event)
                written.append(entry)
                prev = entry.hash
            await conn.execute(audit_log.insert(), [_row(e) for e in written])
            await conn.execute(
                update(audit_head)
                .where(audit_head.c.id == 1)
                .values(seq=seq, hash=prev, seal=head_seal(self._key, seq, prev))
            )
        return written

    async def entries(self, *, after_seq: int = 0) -> AsyncIterator[AuditEntry]:
        last = after_seq
        while True:
            async with self._engine.connect() as conn:
                rows = (
                    await conn.execute(
                        select(audit_log)
                        .where(audit_log.c.seq > last)
                        .order_by(audit_log.c.seq)
                        .limit(self._batch)
                    )
                ).all()
            for row in rows:
                yield _entry(row)
            if len(rows) < self._batch:
                return
            last = int(rows[-1].seq)

    async def head(self) -> AuditHead | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(audit_head.c.seq, audit_head.c.hash, audit_head.c.seal).where(
                        audit_head.c.id == 1
                    )
                )
            ).one_or_none()
        if row is None:
            return None
        return AuditHead(int(row.seq), str(row.hash), None if row.seal is None else str(row.seal))


def _row(entry: AuditEntry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "client_id": entry.client_id,
        "action": entry.action,
        "connection": entry.connection,
        "record": entry.record,
        "outcome": entry.outcome.value,
        "details": json.dumps(entry.details, sort_keys=True, default=str),
        "request_id": entry.request_id,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _entry(row: Row[tuple[object, ...]]) -> AuditEntry:
    m = row._mapping
    return AuditEntry(
        seq=m["seq"],
        at=utc(m["at"]),
        actor=m["actor"],
        client_id=m["client_id"],
        action=m["action"],
        connection=m["connection"],
        record=m["record"],
        outcome=Outcome(m["outcome"]),
        details=json.loads(m["details"]),
        request_id=m["request_id"],
        prev_hash=m["prev_hash"],
        hash=m["hash"],
    )
