"""Watermarks of the change-capture poller in the state database, one row per connection
and stream.

They are read and written on the caller's open connection, so that an advanced watermark
and the events it staged commit together or not at all. Each advance is a compare-and-set
on ``version``: of two pollers (replicas) that read the same watermark, one advances it and
the other's transaction is rolled back.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from process_apis.persistence.change_capture_tables import change_capture_watermarks as t
from process_apis.persistence.times import utc as _utc


@dataclass(frozen=True)
class Watermark:
    """Where capture of one stream stands.

    Changes before ``watermark`` are captured, ``seen`` holds the ids of the events staged
    for changes near it (id → change time), ``origin`` is where capture began. ``version``
    0 means the row does not exist yet.
    """

    connection: str
    stream: str
    watermark: dt.datetime
    origin: dt.datetime
    seen: dict[str, dt.datetime] = field(default_factory=dict)
    version: int = 0


class WatermarkConflict(Exception):
    """Another poller advanced the watermark since it was read."""


async def load(conn: AsyncConnection, connection: str, stream: str) -> Watermark | None:
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


async def save(conn: AsyncConnection, mark: Watermark, now: dt.datetime) -> Watermark:
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


async def list_all(conn: AsyncConnection) -> list[Watermark]:
    """Every stored watermark, by connection and stream."""
    rows = (
        await conn.execute(select(t.c.connection, t.c.stream).order_by(t.c.connection, t.c.stream))
    ).all()
    marks = [await load(conn, row.connection, row.stream) for row in rows]
    return [mark for mark in marks if mark is not None]


async def forget(conn: AsyncConnection, connection: str, stream: str | None = None) -> int:
    """Deletes the watermarks of ``connection`` (one ``stream`` or all); the next poll starts
    again at the policy's ``start``. A poller running meanwhile loses its compare-and-set and
    reads again. Answers how many were deleted."""
    condition = t.c.connection == connection
    if stream is not None:
        condition = condition & (t.c.stream == stream)
    result = await conn.execute(delete(t).where(condition))
    return int(result.rowcount)
