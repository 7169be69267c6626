"""Where the outbox stands: what waits, what was published, who publishes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.persistence.event_tables import relay_leases
from process_apis.persistence.tables import outbox
from process_apis.persistence.times import maybe_utc


@dataclass(frozen=True)
class OutboxStatus:
    """A snapshot for operators: a growing ``waiting`` or an old ``oldest_waiting`` means
    the relay is stuck (a sink failing, no replica holding the lease)."""

    waiting: int
    oldest_waiting: dt.datetime | None
    published: int
    last_published: dt.datetime | None
    relay_holder: str | None
    relay_lease_until: dt.datetime | None


async def outbox_status(engine: AsyncEngine, lease_name: str) -> OutboxStatus:
    unpublished = outbox.c.published_at.is_(None)
    async with engine.connect() as conn:
        waiting, oldest = (
            await conn.execute(
                select(func.count(), func.min(outbox.c.occurred_at)).where(unpublished)
            )
        ).one()
        published, last = (
            await conn.execute(
                select(func.count(), func.max(outbox.c.published_at)).where(~unpublished)
            )
        ).one()
        lease = (
            await conn.execute(
                select(relay_leases.c.holder, relay_leases.c.expires_at).where(
                    relay_leases.c.name == lease_name
                )
            )
        ).first()
    return OutboxStatus(
        waiting=int(waiting),
        oldest_waiting=maybe_utc(oldest),
        published=int(published),
        last_published=maybe_utc(last),
        relay_holder=None if lease is None else lease.holder,
        relay_lease_until=None if lease is None else maybe_utc(lease.expires_at),
    )
