"""The delivery log in SQL: reading deliveries with their attempts, redelivery, purging
(part of :class:`~process_apis.webhooks.sql_store.SqlWebhookStore`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from process_apis.persistence.webhook_tables import webhook_attempts as at
from process_apis.persistence.webhook_tables import webhook_deliveries as dl
from process_apis.webhooks.model import (
    Attempt,
    Delivery,
    DeliveryFilter,
    DeliveryPage,
    DeliveryStatus,
)
from process_apis.webhooks.sql_rows import (
    PENDING,
    attempt_from_row,
    delivery_from_row,
    lease_free,
)


class SqlDeliveryLog:
    """Deliveries and their attempts as operators read and act on them."""

    _engine: AsyncEngine

    async def get_delivery(self, delivery_id: str) -> Delivery | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(dl).where(dl.c.id == delivery_id))).one_or_none()
            if row is None:
                return None
            logs = await attempts_of(conn, [row.id])
        return delivery_from_row(row, logs.get(row.id, ()))

    async def list_deliveries(
        self, filter: DeliveryFilter, *, limit: int, offset: int = 0
    ) -> DeliveryPage:
        """Newest first."""
        conditions: list[ColumnElement[bool]] = []
        if filter.subscription_id is not None:
            conditions.append(dl.c.subscription_id == filter.subscription_id)
        if filter.status is not None:
            conditions.append(dl.c.status == filter.status.value)
        if filter.event_id is not None:
            conditions.append(dl.c.event_id == filter.event_id)
        where = and_(True, *conditions)
        async with self._engine.connect() as conn:
            total = (
                await conn.execute(select(func.count()).select_from(dl).where(where))
            ).scalar_one()
            rows = (
                await conn.execute(
                    select(dl).where(where).order_by(dl.c.seq.desc()).limit(limit).offset(offset)
                )
            ).all()
            logs = await attempts_of(conn, [row.id for row in rows])
        items = tuple(delivery_from_row(row, logs.get(row.id, ())) for row in rows)
        return DeliveryPage(items=items, total=int(total), offset=offset)

    async def purge_delivered(self, before: dt.datetime, *, limit: int = 1000) -> int:
        """Delete up to ``limit`` deliveries delivered before ``before``, with their log.
        Failed and cancelled ones are kept until an operator deletes their subscription."""
        async with self._engine.begin() as conn:
            ids = (
                (
                    await conn.execute(
                        select(dl.c.id)
                        .where(
                            dl.c.status == DeliveryStatus.DELIVERED.value,
                            dl.c.finished_at < before,
                        )
                        .limit(limit)
                    )
                )
                .scalars()
                .all()
            )
            if not ids:
                return 0
            await conn.execute(delete(at).where(at.c.delivery_id.in_(ids)))
            await conn.execute(
                delete(dl).where(dl.c.id.in_(ids), dl.c.status == DeliveryStatus.DELIVERED.value)
            )
        return len(ids)

    async def redeliver(self, delivery_id: str, now: dt.datetime) -> Delivery | None:
        """Start a new series of attempts, due now; None when the delivery does not exist
        or is being sent right now."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(dl)
                .where(dl.c.id == delivery_id, lease_free(now))
                .values(
                    status=PENDING,
                    attempts=0,
                    series=dl.c.series + 1,
                    next_attempt_at=now,
                    lease_until=None,
                    lease_token=None,
                    updated_at=now,
                    finished_at=None,
                )
            )
        if not result.rowcount:
            return None
        return await self.get_delivery(delivery_id)


async def attempts_of(
    conn: AsyncConnection, delivery_ids: list[str]
) -> dict[str, tuple[Attempt, ...]]:
    if not delivery_ids:
        return {}
    rows = await conn.execute(
        select(at).where(at.c.delivery_id.in_(delivery_ids)).order_by(at.c.delivery_id, at.c.number)
    )
    out: dict[str, list[Attempt]] = {}
    for row in rows:
        out.setdefault(row.delivery_id, []).append(attempt_from_row(row))
    return {key: tuple(value) for key, value in out.items()}
