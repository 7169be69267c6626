"""The idempotency store on SQL: SQLite for the embedded default, PostgreSQL in production."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.events.model import Event
from process_apis.events.outbox import stage
from process_apis.idempotency.port import KeyRecord, KeyState
from process_apis.persistence.tables import idempotency_keys as t
from process_apis.persistence.times import utc as _utc


class SqlIdempotencyStore:
    """Keys in the ``idempotency_keys`` table; the primary key makes claims atomic."""

    def __init__(self, engine: AsyncEngine, *, on_events: Callable[[], None] | None = None):
        self._engine = engine
        # Called after a commit that staged events (the outbox relay's nudge).
        self._on_events = on_events

    async def claim(
        self,
        scope: str,
        key: str,
        fingerprint: str,
        ttl: dt.timedelta,
        *,
        request: str | None = None,
    ) -> KeyRecord | None:
        now = dt.datetime.now(dt.UTC)
        async with self._engine.begin() as conn:
            # A record past its retention no longer protects anything: reuse the key.
            await conn.execute(
                delete(t).where(t.c.scope == scope, t.c.key == key, t.c.expires_at < now)
            )
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    t.insert().values(
                        scope=scope,
                        key=key,
                        fingerprint=fingerprint,
                        state=KeyState.IN_PROGRESS.value,
                        response=None,
                        created_at=now,
                        updated_at=now,
                        expires_at=now + ttl,
                        request=request,
                    )
                )
            return None
        except IntegrityError:
            async with self._engine.connect() as conn:
                row = (
                    await conn.execute(select(t).where(t.c.scope == scope, t.c.key == key))
                ).one()
            return _record(row)

    async def reclaim(self, scope: str, key: str, stale_before: dt.datetime) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(t)
                .where(
                    t.c.scope == scope,
                    t.c.key == key,
                    t.c.state == KeyState.IN_PROGRESS.value,
                    t.c.updated_at < stale_before,
                )
                .values(updated_at=dt.datetime.now(dt.UTC))
            )
        return bool(result.rowcount)

    async def stalled(
        self, scope_prefix: str, stale_before: dt.datetime, *, limit: int
    ) -> list[KeyRecord]:
        now = dt.datetime.now(dt.UTC)
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(t)
                    .where(
                        t.c.scope.startswith(scope_prefix, autoescape=True),
                        t.c.state == KeyState.IN_PROGRESS.value,
                        t.c.updated_at < stale_before,
                        t.c.expires_at >= now,
                        t.c.request.is_not(None),
                    )
                    .order_by(t.c.updated_at, t.c.scope, t.c.key)
                    .limit(limit)
                )
            ).all()
        return [_record(row) for row in rows]

    async def complete(
        self, scope: str, key: str, response: str, *, events: Sequence[Event] = ()
    ) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(t)
                .where(t.c.scope == scope, t.c.key == key)
                .values(
                    state=KeyState.COMPLETED.value,
                    response=response,
                    updated_at=dt.datetime.now(dt.UTC),
                )
            )
            staged = await stage(conn, events)
        if staged and self._on_events is not None:
            self._on_events()

    async def hand_over(self, scope: str, key: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(t)
                .where(
                    t.c.scope == scope,
                    t.c.key == key,
                    t.c.state == KeyState.IN_PROGRESS.value,
                )
                .values(request=None)
            )

    async def release(self, scope: str, key: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(t).where(
                    t.c.scope == scope,
                    t.c.key == key,
                    t.c.state == KeyState.IN_PROGRESS.value,
                )
            )

    async def purge_expired(self, now: dt.datetime | None = None) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                delete(t).where(t.c.expires_at < (now or dt.datetime.now(dt.UTC)))
            )
        return int(result.rowcount or 0)


def _record(row: Row[Any]) -> KeyRecord:
    return KeyRecord(
        scope=row.scope,
        key=row.key,
        fingerprint=row.fingerprint,
        state=KeyState(row.state),
        response=row.response,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        expires_at=_utc(row.expires_at),
        request=row.request,
    )
