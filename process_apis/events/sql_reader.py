"""The outbox reader on the state database's ``outbox`` table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.events.outbox import event_from_row
from process_apis.events.port import StagedEvent
from process_apis.persistence.tables import outbox


class SqlOutboxReader:
    """What the outbox relay reads and marks; staging writes are :func:`~.outbox.stage`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def unpublished(self, limit: int, after: int | None = None) -> Sequence[StagedEvent]:
        query = (
            select(outbox)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.seq)
            .limit(limit)
        )
        if after is not None:
            query = query.where(outbox.c.seq > after)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            StagedEvent(seq=row.seq, event=event_from_row(row), traceparent=row.traceparent)
            for row in rows
        ]

    async def mark_published(self, seqs: Sequence[int], at: dt.datetime) -> None:
        if not seqs:
            return
        async with self._engine.begin() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.c.seq.in_(list(seqs)), outbox.c.published_at.is_(None))
                .values(published_at=at)
            )

    async def purge(self, published_before: dt.datetime) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                delete(outbox).where(
                    outbox.c.published_at.is_not(None), outbox.c.published_at < published_before
                )
            )
        return int(result.rowcount or 0)

    async def backlog(self) -> int:
        async with self._engine.connect() as conn:
            count = await conn.execute(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
            return int(count.scalar_one())
