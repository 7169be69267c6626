"""The webhook store on SQL (SQLite or PostgreSQL, the same statements on both).

Claiming is a SELECT of candidates followed by one conditional UPDATE per candidate
(``status = 'pending'`` and no live lease): of two workers racing for a delivery exactly
one UPDATE matches, so no attempt is sent twice while its lease lasts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from process_apis.events.model import Event
from process_apis.observability import event_traceparent
from process_apis.persistence.times import maybe_utc
from process_apis.persistence.webhook_tables import webhook_attempts as at
from process_apis.persistence.webhook_tables import webhook_deliveries as dl
from process_apis.persistence.webhook_tables import webhook_subscriptions as sb
from process_apis.webhooks.model import (
    AttemptOutcome,
    AttemptResult,
    ClaimedDelivery,
    DeliveryStatus,
    SigningKeys,
    SubscriptionStatus,
)
from process_apis.webhooks.signing import delivery_body
from process_apis.webhooks.sql_log import SqlDeliveryLog
from process_apis.webhooks.sql_rows import (
    PENDING,
    delivery_from_row,
    lease_free,
    now_utc,
    subscription_from_row,
)
from process_apis.webhooks.sql_subscriptions import SqlSubscriptions


class SqlWebhookStore(SqlSubscriptions, SqlDeliveryLog):
    """Subscriptions, deliveries and attempts in the ``webhook_*`` tables."""

    def __init__(self, engine: AsyncEngine):
        self._engine = engine

    async def enqueue(self, events: Sequence[Event]) -> int:
        """One pending delivery per event and matching active subscription, in ``events``'
        order; a (subscription, event) pair already there is left alone. Committed when
        this returns."""
        if not events:
            return 0
        now = now_utc()
        async with self._engine.begin() as conn:
            subscriptions = [
                subscription_from_row(row)
                for row in await conn.execute(
                    select(sb)
                    .where(sb.c.status == SubscriptionStatus.ACTIVE.value)
                    .order_by(sb.c.created_at, sb.c.id)
                )
            ]
            if not subscriptions:
                return 0
            existing = {
                (row.subscription_id, row.event_id)
                for row in await conn.execute(
                    select(dl.c.subscription_id, dl.c.event_id).where(
                        dl.c.event_id.in_({e.id for e in events})
                    )
                )
            }
            rows: list[dict[str, Any]] = []
            for event in events:
                body: str | None = None
                for sub in subscriptions:
                    if (sub.id, event.id) in existing or not sub.wants(
                        event.type.value, event.connection
                    ):
                        continue
                    existing.add((sub.id, event.id))
                    body = body or delivery_body(event)
                    rows.append(_new_delivery(sub.id, event, body, now))
            for row in rows:
                # One statement per row keeps ``seq`` in event order on every backend.
                await conn.execute(_insert_ignoring_duplicates(conn), row)
        return len(rows)

    # -- the worker's side ---------------------------------------------------------------

    async def claim(
        self, *, limit: int, now: dt.datetime, lease_until: dt.datetime
    ) -> list[ClaimedDelivery]:
        """Lease up to ``limit`` due deliveries, each the oldest pending one of its active
        subscription (so a subscription has at most one delivery in flight)."""
        # The head of each active subscription is one index seek on (subscription_id,
        # status, seq), so a poll costs the same however long the queue behind a head is.
        earlier = dl.alias("earlier")
        head = (
            select(func.min(earlier.c.seq))
            .where(earlier.c.subscription_id == sb.c.id, earlier.c.status == PENDING)
            .scalar_subquery()
        )
        candidates = (
            select(dl.c.seq)
            .select_from(sb.join(dl, dl.c.seq == head))
            .where(
                sb.c.status == SubscriptionStatus.ACTIVE.value,
                dl.c.next_attempt_at <= now,
                lease_free(now),
            )
            .order_by(dl.c.next_attempt_at, dl.c.seq)
            .limit(limit)
        )
        claimed: list[tuple[int, str]] = []
        async with self._engine.begin() as conn:
            # Rows are locked in one global order (seq), so two claiming replicas never
            # wait on each other in a cycle.
            for seq in sorted((await conn.execute(candidates)).scalars().all()):
                token = str(uuid.uuid4())
                result = await conn.execute(
                    update(dl)
                    .where(dl.c.seq == seq, dl.c.status == PENDING, lease_free(now))
                    .values(lease_until=lease_until, lease_token=token)
                )
                if result.rowcount:
                    claimed.append((seq, token))
        if not claimed:
            return []
        tokens = dict(claimed)
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(dl, sb.c.url, sb.c.secret, sb.c.previous_secret, sb.c.previous_secret_until)
                .join(sb, sb.c.id == dl.c.subscription_id)
                .where(dl.c.seq.in_(list(tokens)))
                .order_by(dl.c.seq)
            )
            out = []
            for row in rows:
                until = maybe_utc(row.previous_secret_until)
                previous = row.previous_secret if until is not None and until > now else None
                out.append(
                    ClaimedDelivery(
                        delivery=delivery_from_row(row),
                        url=row.url,
                        keys=SigningKeys(current=row.secret, previous=previous),
                        lease_token=tokens[row.seq],
                        traceparent=row.traceparent,
                    )
                )
        return out

    async def record_attempt(
        self, claimed: ClaimedDelivery, result: AttemptResult, *, cancel_reason: str | None
    ) -> bool:
        """Log the attempt and move the delivery on; False when the lease was lost (the
        attempt is still logged: it was made)."""
        delivery = claimed.delivery
        finished = result.outcome is not AttemptOutcome.RETRY
        status = {
            AttemptOutcome.DELIVERED: DeliveryStatus.DELIVERED,
            AttemptOutcome.RETRY: DeliveryStatus.PENDING,
            AttemptOutcome.FAILED: DeliveryStatus.FAILED,
            AttemptOutcome.GONE: DeliveryStatus.FAILED,
        }[result.outcome]
        async with self._engine.begin() as conn:
            changed = await conn.execute(
                update(dl)
                .where(
                    dl.c.id == delivery.id,
                    dl.c.lease_token == claimed.lease_token,
                    dl.c.status == PENDING,
                )
                .values(
                    status=status.value,
                    attempts=dl.c.attempts + 1,
                    next_attempt_at=result.next_attempt_at if not finished else None,
                    lease_until=None,
                    lease_token=None,
                    last_status_code=result.status_code,
                    last_error=result.error,
                    updated_at=result.attempted_at,
                    finished_at=result.attempted_at if finished else None,
                )
            )
            if (
                not changed.rowcount
                and not (await conn.execute(select(dl.c.id).where(dl.c.id == delivery.id))).first()
            ):
                return False  # deleted with its subscription meanwhile: nothing to log on
            number = (
                await conn.execute(
                    select(func.coalesce(func.max(at.c.number), 0)).where(
                        at.c.delivery_id == delivery.id
                    )
                )
            ).scalar_one()
            await conn.execute(
                insert(at).values(
                    delivery_id=delivery.id,
                    number=int(number) + 1,
                    series=delivery.series,
                    attempted_at=result.attempted_at,
                    status_code=result.status_code,
                    error=result.error,
                    duration_ms=result.duration_ms,
                    response_body=result.response_body,
                    outcome=result.outcome.value,
                )
            )
            if cancel_reason is not None:
                await _disable_and_cancel(conn, delivery.subscription_id, cancel_reason)
        return bool(changed.rowcount)


def _new_delivery(
    subscription_id: str, event: Event, body: str, now: dt.datetime
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "subscription_id": subscription_id,
        "event_id": event.id,
        "event_type": event.type.value,
        "connection": event.connection,
        "payload": body,
        "status": PENDING,
        "attempts": 0,
        "series": 1,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
        "traceparent": event_traceparent(event.id),
    }


def _insert_ignoring_duplicates(conn: AsyncConnection) -> Any:
    # A relay that offers the same events again (it crashed after we committed) must not
    # fail here: the unique (subscription, event) pair makes the second insert a no-op.
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(dl).on_conflict_do_nothing(
        index_elements=[dl.c.subscription_id, dl.c.event_id]
    )


async def _disable_and_cancel(conn: AsyncConnection, subscription_id: str, reason: str) -> None:
    now = now_utc()
    await conn.execute(
        update(sb)
        .where(sb.c.id == subscription_id)
        .values(status=SubscriptionStatus.DISABLED.value, disabled_reason=reason, updated_at=now)
    )
    await conn.execute(
        update(dl)
        .where(dl.c.subscription_id == subscription_id, dl.c.status == PENDING)
        .values(
            status=DeliveryStatus.CANCELLED.value,
            last_error=reason,
            lease_until=None,
            lease_token=None,
            next_attempt_at=None,
            updated_at=now,
            finished_at=now,
        )
    )
