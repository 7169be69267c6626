"""Inbound events on SQL: the same statements on SQLite and PostgreSQL.

Every change of state is one conditional UPDATE, so that of two gateway processes
racing for an event exactly one gets it, and a process whose lease ran out can no longer
finish (its final UPDATE matches no row and its transaction rolls back).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Insert, Row, and_, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from process_apis.events.model import Event
from process_apis.events.outbox import stage, stage_new
from process_apis.inbound.model import InboundEvent, InboundStatus
from process_apis.inbound.port import Completion, LeaseLost, NewInbound
from process_apis.persistence.inbound_tables import inbound_events as t
from process_apis.persistence.times import maybe_utc as _maybe_utc
from process_apis.persistence.times import utc as _utc

MAX_ERROR = 2000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _event(row: Row[Any] | SimpleNamespace) -> InboundEvent:
    return InboundEvent(
        id=row.id,
        source=row.source,
        webhook_id=row.webhook_id,
        type=row.type,
        connection=row.connection,
        data=json.loads(row.data),
        ordering_key=row.ordering_key,
        status=InboundStatus(row.status),
        attempts=row.attempts,
        received_at=_utc(row.received_at),
        next_attempt_at=_utc(row.next_attempt_at),
        lease_until=_maybe_utc(row.lease_until),
        lease_token=row.lease_token,
        last_error=row.last_error,
        quarantine_id=row.quarantine_id,
        processed_at=_maybe_utc(row.processed_at),
    )


def _row(new: NewInbound, at: dt.datetime) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "source": new.source,
        "webhook_id": new.webhook_id,
        "type": new.type,
        "connection": new.connection,
        "ordering_key": new.ordering_key,
        "data": json.dumps(dict(new.data), sort_keys=True, separators=(",", ":")),
        "status": InboundStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": at,
        "received_at": at,
    }


def _insert_new(dialect: str) -> Insert:
    """An INSERT that skips a webhook another replica stored since the look-up."""
    if dialect == "postgresql":
        return postgresql.insert(t).on_conflict_do_nothing(index_elements=["source", "webhook_id"])
    if dialect == "sqlite":
        return sqlite.insert(t).on_conflict_do_nothing(index_elements=["source", "webhook_id"])
    return t.insert()


_earlier = t.alias("earlier")
_candidate = t.alias("candidate")


def _claimable(now: dt.datetime, row: FromClause = t) -> ColumnElement[bool]:
    # A lease past its time belongs to a process that died; the event is free again. An
    # earlier pending event of the same key (running, or waiting for its retry) goes
    # first, so that the changes of one record reach the ERP and the outbox in order.
    c = row.c
    earlier_pending = (
        select(_earlier.c.id)
        .where(
            _earlier.c.ordering_key == c.ordering_key,
            _earlier.c.status == InboundStatus.PENDING.value,
            or_(
                _earlier.c.received_at < c.received_at,
                and_(_earlier.c.received_at == c.received_at, _earlier.c.id < c.id),
            ),
        )
        .exists()
    )
    return (
        (c.status == InboundStatus.PENDING.value)
        & (c.next_attempt_at <= now)
        & or_(c.lease_until.is_(None), c.lease_until < now)
        & ~earlier_pending
    )


class SqlInboundStore:
    """The inbound store port on the ``inbound_events`` table."""

    def __init__(self, engine: AsyncEngine):
        self._engine = engine

    async def add(
        self,
        *,
        source: str,
        webhook_id: str,
        type: str,
        connection: str,
        ordering_key: str,
        data: Mapping[str, Any],
    ) -> tuple[InboundEvent, bool]:
        """Store a new pending event; returns it and True, or the stored one and False
        when ``(source, webhook_id)`` is already there."""
        new = NewInbound(source, webhook_id, type, connection, ordering_key, data)
        return (await self.add_all([new]))[0]

    async def add_all(self, new: Sequence[NewInbound]) -> list[tuple[InboundEvent, bool]]:
        """Store several events in one transaction, in the order given; per event the
        stored one and whether it is new."""
        if not new:
            return []
        fresh: dict[tuple[str, str], dict[str, Any]] = {}
        at = _now()
        for item in new:
            pair = (item.source, item.webhook_id)
            if pair not in fresh:
                fresh[pair] = _row(item, at)
                # Strictly increasing: events of one record are taken in this order.
                at += dt.timedelta(microseconds=1)
        async with self._engine.begin() as conn:
            # Redeliveries are rare: insert everything new-looking, skipping what is stored
            # already (by an earlier request or another replica), then read those back.
            # In key order, whatever the order received: a replica storing the same events
            # meanwhile takes its row locks in the same order, so neither waits on the other
            # in a cycle (a deadlock on PostgreSQL).
            rows = [fresh[pair] for pair in sorted(fresh)]
            statement = _insert_new(conn.dialect.name).values(rows)
            inserted = set((await conn.execute(statement.returning(t.c.id))).scalars().all())
            seen = [pair for pair, row in fresh.items() if row["id"] not in inserted]
            known = await self._stored(conn, seen) if seen else {}
            if len(known) != len(seen):  # neither stored nor there: say so, store nothing
                raise RuntimeError(f"inbound events not stored: {sorted(set(seen) - set(known))}")
        unset = dict.fromkeys(("lease_until", "lease_token", "last_error", "quarantine_id"))
        answers: list[tuple[InboundEvent, bool]] = []
        given: set[tuple[str, str]] = set()
        for item in new:
            pair = (item.source, item.webhook_id)
            if pair in known:
                answers.append((known[pair], False))
            else:
                row = fresh[pair]
                answers.append(
                    (_event(SimpleNamespace(**row, **unset, processed_at=None)), pair not in given)
                )
            given.add(pair)
        return answers

    async def _stored(
        self, conn: AsyncConnection, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], InboundEvent]:
        query = select(t).where(tuple_(t.c.source, t.c.webhook_id).in_(pairs))
        return {(row.source, row.webhook_id): _event(row) for row in await conn.execute(query)}

    async def get(self, event_id: str) -> InboundEvent | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(t).where(t.c.id == event_id))).one_or_none()
        return None if row is None else _event(row)

    async def find(self, source: str, webhook_id: str) -> InboundEvent | None:
        query = select(t).where(t.c.source == source, t.c.webhook_id == webhook_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
        return None if row is None else _event(row)

    async def due(self, limit: int, now: dt.datetime | None = None) -> list[str]:
        """Ids of pending events ready to be tried, oldest first: at most one per
        ordering key, the earliest."""
        query = (
            select(t.c.id)
            .where(_claimable(now or _now()))
            .order_by(t.c.received_at, t.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return list((await conn.execute(query)).scalars().all())

    async def claim(self, event_id: str, lease: dt.timedelta) -> InboundEvent | None:
        """Lease a due event and count the attempt; None when another process has it."""
        now = _now()
        token = str(uuid.uuid4())
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(t)
                .where(t.c.id == event_id, _claimable(now))
                .values(lease_until=now + lease, lease_token=token, attempts=t.c.attempts + 1)
            )
        if not result.rowcount:
            return None
        return await self.get(event_id)

    async def claim_due(self, limit: int, lease: dt.timedelta) -> list[InboundEvent]:
        """Lease up to ``limit`` due events at once (one statement), oldest first."""
        now = _now()
        token = str(uuid.uuid4())
        # The due ones (as :meth:`due`), chosen and leased by one UPDATE: the processor
        # calls this after every event stored and every event finished. The outer
        # condition is checked again on the row being updated, as :meth:`claim` does, so an
        # event another process leased meanwhile is left out.
        due = (
            select(_candidate.c.id)
            .where(_claimable(now, _candidate))
            .order_by(_candidate.c.received_at, _candidate.c.id)
            .limit(limit)
        )
        async with self._engine.begin() as conn:
            rows = (
                await conn.execute(
                    update(t)
                    .where(t.c.id.in_(due), _claimable(now))
                    .values(lease_until=now + lease, lease_token=token, attempts=t.c.attempts + 1)
                    .returning(*t.c)
                )
            ).all()
        return sorted((_event(row) for row in rows), key=lambda e: (e.received_at, e.id))

    async def complete_all(self, done: Sequence[Completion]) -> list[int | None]:
        """Several :meth:`complete` in one transaction: per event how many of its events
        were new, None where its lease was lost (that event alone is left as it was)."""
        if not done:
            return []
        held = or_(
            *(and_(t.c.id == c.event.id, t.c.lease_token == c.event.lease_token) for c in done)
        )
        async with self._engine.begin() as conn:
            finished = set(
                (
                    await conn.execute(
                        update(t)
                        .where(held, t.c.status == InboundStatus.PENDING.value)
                        .values(
                            status=InboundStatus.PROCESSED.value,
                            processed_at=_now(),
                            lease_until=None,
                            lease_token=None,
                            last_error=None,
                        )
                        .returning(t.c.id)
                    )
                )
                .scalars()
                .all()
            )
            kept = [c for c in done if c.event.id in finished]
            new = await stage_new(conn, [e for c in kept for e in c.events])
        counts: list[int | None] = []
        for c in done:
            if c.event.id not in finished:
                counts.append(None)
                continue
            fresh = new.intersection(e.id for e in c.events)
            new -= fresh
            counts.append(len(fresh))
        return counts

    async def complete(self, event: InboundEvent, events: Sequence[Event]) -> int:
        """Mark a leased event processed and stage ``events`` in one transaction; returns
        how many events were new. Raises LeaseLost when the lease is no longer held."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(t)
                .where(
                    t.c.id == event.id,
                    t.c.status == InboundStatus.PENDING.value,
                    t.c.lease_token == event.lease_token,
                )
                .values(
                    status=InboundStatus.PROCESSED.value,
                    processed_at=_now(),
                    lease_until=None,
                    lease_token=None,
                    last_error=None,
                )
            )
            if not result.rowcount:
                raise LeaseLost(event.id)
            return await stage(conn, events)

    async def complete_replay(self, event_id: str, events: Sequence[Event]) -> int:
        """Mark a quarantined event processed (its replay succeeded) and stage ``events``;
        an event already processed stays so and stages nothing."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(t)
                .where(t.c.id == event_id, t.c.status == InboundStatus.QUARANTINED.value)
                .values(status=InboundStatus.PROCESSED.value, processed_at=_now(), last_error=None)
            )
            if not result.rowcount:
                return 0
            return await stage(conn, events)

    async def retry_later(self, event: InboundEvent, at: dt.datetime, error: str) -> bool:
        """End the lease and wait until ``at`` before the next attempt."""
        return await self._release(event, next_attempt_at=at, last_error=error[:MAX_ERROR])

    async def quarantined(self, event: InboundEvent, quarantine_id: str, error: str) -> bool:
        """Finish a leased event as quarantined under the given quarantine record."""
        return await self._release(
            event,
            status=InboundStatus.QUARANTINED.value,
            quarantine_id=quarantine_id,
            last_error=error[:MAX_ERROR],
        )

    async def _release(self, event: InboundEvent, **values: Any) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(t)
                .where(
                    t.c.id == event.id,
                    t.c.status == InboundStatus.PENDING.value,
                    t.c.lease_token == event.lease_token,
                )
                .values(lease_until=None, lease_token=None, **values)
            )
        return bool(result.rowcount)
