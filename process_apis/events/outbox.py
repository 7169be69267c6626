"""The transactional outbox: events are written in the transaction of the change they
describe, and a relay publishes them afterwards.

Stores that record a change (idempotency keys, inbound events, change-capture watermarks)
call :func:`stage` on their own open connection, so the event exists exactly when the
change it describes was committed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from process_apis.events.model import Event
from process_apis.observability import current_traceparent
from process_apis.persistence.tables import outbox
from process_apis.persistence.times import utc

_STAGING_LOCK = 0x6F7574626F78  # "outbox": the advisory lock key staging serialises on


def _row(event: Event) -> dict[str, object]:
    return {
        "event_id": event.id,
        "type": event.type.value,
        "aggregate": event.aggregate,
        "connection": event.connection,
        "occurred_at": event.occurred_at,
        "data": json.dumps(event.data, separators=(",", ":"), default=str),
        "published_at": None,
        "traceparent": current_traceparent(),
    }


async def stage(conn: AsyncConnection, events: Sequence[Event]) -> int:
    """Write ``events`` on ``conn`` (inside the caller's transaction); returns how many were new.

    An event whose id is already in the outbox is skipped: the same change seen twice
    (a redelivered webhook, an overlapping poll) stays one event, also when two
    transactions stage it at once. The count is of events not seen before this call.
    Staging transactions are serialised from this call to their commit (keep them short).
    """
    return len(await stage_new(conn, events))


async def stage_new(conn: AsyncConnection, events: Sequence[Event]) -> set[str]:
    """:func:`stage`, answering the ids of the events that were new."""
    if not events:
        return set()
    if conn.dialect.name == "postgresql":
        # Held until the caller commits: staging transactions commit in ``seq`` order, so
        # the relay never sees a later event of a record committed before an earlier one.
        # (SQLite's single writer gives the same order by itself.)
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _STAGING_LOCK})
    fresh: dict[str, Event] = {}
    for event in events:
        fresh.setdefault(event.id, event)
    insert = _insert_new(conn.dialect.name)
    if insert is None:
        known = select(outbox.c.event_id).where(outbox.c.event_id.in_(fresh))
        for event_id in (await conn.execute(known)).scalars():
            del fresh[event_id]
        if fresh:
            await conn.execute(outbox.insert(), [_row(e) for e in fresh.values()])
        return set(fresh)
    # One statement that skips the ids already there and answers those it added. Rows get
    # their ``seq`` in the order given: SQLite inserts a multi-row VALUES list as listed;
    # PostgreSQL is asked to (else free to number its rows in another order).
    in_order = conn.dialect.name == "postgresql"
    added = await conn.execute(
        insert.returning(outbox.c.event_id, sort_by_parameter_order=in_order),
        [_row(e) for e in fresh.values()],
    )
    return set(added.scalars().all())


def _insert_new(dialect: str) -> Insert | None:
    """An INSERT that skips ids already in the outbox, also those another transaction
    committed meanwhile (the same change staged by two flows at once, e.g. a mutation and
    change capture); None on a database without one."""
    if dialect == "postgresql":
        return postgresql.insert(outbox).on_conflict_do_nothing(index_elements=["event_id"])
    if dialect == "sqlite":
        return sqlite.insert(outbox).on_conflict_do_nothing(index_elements=["event_id"])
    return None


def event_from_row(row: object) -> Event:
    """The event an outbox row holds."""
    mapping = row._mapping  # type: ignore[attr-defined]
    return Event(
        id=mapping["event_id"],
        type=mapping["type"],
        aggregate=mapping["aggregate"],
        connection=mapping["connection"],
        occurred_at=utc(mapping["occurred_at"]),
        data=json.loads(mapping["data"]),
    )
