"""The watermark store on SQL: one row per connection and stream in the state database.

An advanced watermark and the events it staged commit in one transaction, or not at all.
Each advance is a compare-and-set on ``version``: of two pollers (replicas) that read the
same watermark, one advances it and the other's transaction is rolled back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from process_apis.change_capture.port import Watermark, WatermarkConflict
from process_apis.events.model import Event
from process_apis.events.outbox import stage
from process_apis.persistence.change_capture_tables import change_capture_watermarks as t
from process_apis.persistence.times import utc as _utc


class SqlWatermarkStore:
    """The watermark store port on the ``change_capture_watermarks`` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self, connection: str, stream: str) -> Watermark | None:
        async with self._engine.connect() as conn:
            return await _load(conn, connection, stream)

    async def save(
        self, mark: Watermark, now: dt.datetime, events: Sequence[Event] = ()
    ) -> tuple[Watermark, int]:
        try:
            async with self._engine.begin() as conn:
                # The compare-and-set first: a replica that lost the race stops here, before
                # it writes events the winner is writing too.
                saved = await _save(conn, mark, now)
                staged = await stage(conn, events)
        except IntegrityError as exc:
            # Another writer staged one of these event ids concurrently.
            raise WatermarkConflict(str(exc)) from exc
        return saved, staged

    async def list_all(self) -> list[Watermark]:
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(t.c.connection, t.c.stream).order_by(t.c.connection, t.c.stream)
                )
            ).all()
            marks = [await _load(conn, row.connection, row.stream) for row in rows]
        return [mark for mark in marks if mark is not None]

    async def forget(self, connection: str, stream: str | None = None) -> int:
        condition = t.c.connection == connection
        if stream is not None:
            condition = condition & (t.c.stream == stream)
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(t).where(condition))
        return int(result.rowcount)


async def _load(conn: AsyncConnection, connection: str, stream: str) -> Watermark | None:
    row = (
        await conn.execute(select(t).where(t.c.connection == connection, t.c.stream == stream))
    ).first()
    if row is None:
        return None
    seen = {
        key: _utc(dt.datetime.fromisoformat(value)) for key, value in json.loads(row.seen).items()
    }
    return Watermark(
        connection=row.connection,
        stream=row.stream,
        watermark=_utc(row.watermark),
        origin=_utc(row.origin),
        seen=seen,
        version=row.version,
    )


async def _save(conn: AsyncConnection, mark: Watermark, now: dt.datetime) -> Watermark:
    """Stores ``mark`` as the successor of the version it was read at; raises
    WatermarkConflict when another poller got there first."""
    values = {
        "watermark": mark.watermark,
        "origin": mark.origin,
        "seen": json.dumps({key: value.isoformat() for key, value in sorted(mark.seen.items())}),
        "version": mark.version + 1,
        "updated_at": now,
    }
    if mark.version == 0:
        # The caller's transaction is rolled back on the conflict: no savepoint needed.
        try:
            await conn.execute(
                t.insert().values(connection=mark.connection, stream=mark.stream, **values)
            )
        except IntegrityError as exc:
            raise WatermarkConflict(
                f"{mark.connection}/{mark.stream} was started elsewhere"
            ) from exc
    else:
        result = await conn.execute(
            update(t)
            .where(
                t.c.connection == mark.connection,
                t.c.stream == mark.stream,
                t.c.version == mark.version,
            )
            .values(**values)
        )
        if result.rowcount != 1:
            raise WatermarkConflict(f"{mark.connection}/{mark.stream} advanced elsewhere")
    return Watermark(
        connection=mark.connection,
        stream=mark.stream,
        watermark=mark.watermark,
        origin=mark.origin,
        seen=dict(mark.seen),
        version=mark.version + 1,
    )
