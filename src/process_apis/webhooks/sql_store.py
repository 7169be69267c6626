"""The webhook store on SQL (SQLite or PostgreSQL, the same statements on both).

Claiming is a SELECT of candidates followed by one conditional UPDATE per candidate
(``status = 'pending'`` and no live lease): of two workers racing for a delivery exactly
one UPDATE matches, so no attempt is sent twice while its lease lasts.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from process_apis.events.model import Event
from process_apis.persistence.webhook_tables import webhook_attempts as at
from process_apis.persistence.webhook_tables import webhook_deliveries as dl
from process_apis.persistence.webhook_tables import webhook_subscriptions as sb
from process_apis.webhooks.model import (
    KEEP,
    Attempt,
    AttemptOutcome,
    AttemptResult,
    ClaimedDelivery,
    Delivery,
    DeliveryFilter,
    DeliveryPage,
    DeliveryStatus,
    NewSubscription,
    RegisteredSubscription,
    SigningKeys,
    Subscription,
    SubscriptionChanges,
    SubscriptionStatus,
)
from process_apis.webhooks.signing import delivery_body

_PENDING = DeliveryStatus.PENDING.value


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _maybe_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _utc(value)


def _json_list(values: tuple[str, ...] | None) -> str | None:
    return None if values is None else json.dumps(list(values))


def _tuple(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(json.loads(text))


def _subscription(row: Row[Any]) -> Subscription:
    return Subscription(
        id=row.id,
        url=row.url,
        description=row.description,
        event_types=_tuple(row.event_types),
        connections=_tuple(row.connections),
        status=SubscriptionStatus(row.status),
        disabled_reason=row.disabled_reason,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


def _attempt(row: Row[Any]) -> Attempt:
    return Attempt(
        number=row.number,
        series=row.series,
        attempted_at=_utc(row.attempted_at),
        status_code=row.status_code,
        error=row.error,
        duration_ms=row.duration_ms,
        response_body=row.response_body,
        outcome=AttemptOutcome(row.outcome),
    )


def _delivery(row: Row[Any], attempts: tuple[Attempt, ...] = ()) -> Delivery:
    lease = _maybe_utc(row.lease_until)
    return Delivery(
        id=row.id,
        subscription_id=row.subscription_id,
        event_id=row.event_id,
        event_type=row.event_type,
        connection=row.connection,
        payload=row.payload,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        series=row.series,
        next_attempt_at=_maybe_utc(row.next_attempt_at),
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        finished_at=_maybe_utc(row.finished_at),
        leased=lease is not None and lease > _now(),
        attempt_log=attempts,
    )


def _free(now: dt.datetime) -> ColumnElement[bool]:
    # A lease past its time belongs to a worker that died or stalled; it blocks no one.
    return or_(dl.c.lease_until.is_(None), dl.c.lease_until < now)


class SqlWebhookStore:
    """Subscriptions, deliveries and attempts in the ``webhook_*`` tables."""

    def __init__(self, engine: AsyncEngine):
        self._engine = engine

    # -- subscriptions -------------------------------------------------------------------

    async def add_subscription(self, new: NewSubscription, secret: str) -> RegisteredSubscription:
        now = _now()
        subscription_id = str(uuid.uuid4())
        async with self._engine.begin() as conn:
            await conn.execute(
                sb.insert().values(
                    id=subscription_id,
                    url=new.url,
                    description=new.description,
                    event_types=_json_list(new.event_types),
                    connections=_json_list(new.connections),
                    secret=secret,
                    status=SubscriptionStatus.ACTIVE.value,
                    created_at=now,
                    updated_at=now,
                )
            )
        subscription = await self.get_subscription(subscription_id)
        assert subscription is not None
        return RegisteredSubscription(subscription=subscription, secret=secret)

    async def get_subscription(self, subscription_id: str) -> Subscription | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(sb).where(sb.c.id == subscription_id))).one_or_none()
        return None if row is None else _subscription(row)

    async def list_subscriptions(self) -> list[Subscription]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(sb).order_by(sb.c.created_at, sb.c.id))
            return [_subscription(row) for row in rows]

    async def update_subscription(
        self, subscription_id: str, changes: SubscriptionChanges
    ) -> Subscription | None:
        values: dict[str, Any] = {"updated_at": _now()}
        if changes.url is not KEEP:
            values["url"] = changes.url
        if changes.description is not KEEP:
            values["description"] = changes.description
        if changes.event_types is not KEEP:
            values["event_types"] = _json_list(changes.event_types)
        if changes.connections is not KEEP:
            values["connections"] = _json_list(changes.connections)
        return await self._change(subscription_id, values)

    async def set_status(
        self, subscription_id: str, status: str, reason: str | None
    ) -> Subscription | None:
        return await self._change(
            subscription_id, {"status": status, "disabled_reason": reason, "updated_at": _now()}
        )

    async def rotate_secret(
        self, subscription_id: str, secret: str, previous_valid_until: dt.datetime | None
    ) -> RegisteredSubscription | None:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(sb)
                .where(sb.c.id == subscription_id)
                .values(
                    previous_secret=sb.c.secret if previous_valid_until else None,
                    previous_secret_until=previous_valid_until,
                    secret=secret,
                    updated_at=_now(),
                )
            )
        if not result.rowcount:
            return None
        subscription = await self.get_subscription(subscription_id)
        return None if subscription is None else RegisteredSubscription(subscription, secret)

    async def delete_subscription(self, subscription_id: str) -> bool:
        # SQLite does not enforce the foreign keys' ON DELETE CASCADE; delete explicitly.
        ids = select(dl.c.id).where(dl.c.subscription_id == subscription_id)
        async with self._engine.begin() as conn:
            await conn.execute(delete(at).where(at.c.delivery_id.in_(ids)))
            await conn.execute(delete(dl).where(dl.c.subscription_id == subscription_id))
            result = await conn.execute(delete(sb).where(sb.c.id == subscription_id))
        return bool(result.rowcount)

    async def _change(self, subscription_id: str, values: dict[str, Any]) -> Subscription | None:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(sb).where(sb.c.id == subscription_id).values(**values)
            )
        if not result.rowcount:
            return None
        return await self.get_subscription(subscription_id)

    # -- enqueueing ----------------------------------------------------------------------

    async def enqueue(self, events: Sequence[Event]) -> int:
        """One pending delivery per event and matching active subscription, in ``events``'
        order; a (subscription, event) pair already there is left alone. Committed when
        this returns."""
        if not events:
            return 0
        now = _now()
        async with self._engine.begin() as conn:
            subscriptions = [
                _subscription(row)
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
            .where(earlier.c.subscription_id == sb.c.id, earlier.c.status == _PENDING)
            .scalar_subquery()
        )
        candidates = (
            select(dl.c.seq)
            .select_from(sb.join(dl, dl.c.seq == head))
            .where(
                sb.c.status == SubscriptionStatus.ACTIVE.value,
                dl.c.next_attempt_at <= now,
                _free(now),
            )
            .order_by(dl.c.next_attempt_at, dl.c.seq)
            .limit(limit)
        )
        claimed: list[tuple[int, str]] = []
        async with self._engine.begin() as conn:
            for seq in (await conn.execute(candidates)).scalars().all():
                token = str(uuid.uuid4())
                result = await conn.execute(
                    update(dl)
                    .where(dl.c.seq == seq, dl.c.status == _PENDING, _free(now))
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
                until = _maybe_utc(row.previous_secret_until)
                previous = row.previous_secret if until is not None and until > now else None
                out.append(
                    ClaimedDelivery(
                        delivery=_delivery(row),
                        url=row.url,
                        keys=SigningKeys(current=row.secret, previous=previous),
                        lease_token=tokens[row.seq],
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
                    dl.c.status == _PENDING,
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

    # -- the delivery log ----------------------------------------------------------------

    async def get_delivery(self, delivery_id: str) -> Delivery | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(dl).where(dl.c.id == delivery_id))).one_or_none()
            if row is None:
                return None
            logs = await _attempts(conn, [row.id])
        return _delivery(row, logs.get(row.id, ()))

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
            logs = await _attempts(conn, [row.id for row in rows])
        items = tuple(_delivery(row, logs.get(row.id, ())) for row in rows)
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
                .where(dl.c.id == delivery_id, _free(now))
                .values(
                    status=_PENDING,
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
        "status": _PENDING,
        "attempts": 0,
        "series": 1,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


def _insert_ignoring_duplicates(conn: AsyncConnection) -> Any:
    # A relay that offers the same events again (it crashed after we committed) must not
    # fail here: the unique (subscription, event) pair makes the second insert a no-op.
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(dl).on_conflict_do_nothing(
        index_elements=[dl.c.subscription_id, dl.c.event_id]
    )


async def _disable_and_cancel(conn: AsyncConnection, subscription_id: str, reason: str) -> None:
    now = _now()
    await conn.execute(
        update(sb)
        .where(sb.c.id == subscription_id)
        .values(status=SubscriptionStatus.DISABLED.value, disabled_reason=reason, updated_at=now)
    )
    await conn.execute(
        update(dl)
        .where(dl.c.subscription_id == subscription_id, dl.c.status == _PENDING)
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


async def _attempts(
    conn: AsyncConnection, delivery_ids: list[str]
) -> dict[str, tuple[Attempt, ...]]:
    if not delivery_ids:
        return {}
    rows = await conn.execute(
        select(at).where(at.c.delivery_id.in_(delivery_ids)).order_by(at.c.delivery_id, at.c.number)
    )
    out: dict[str, list[Attempt]] = {}
    for row in rows:
        out.setdefault(row.delivery_id, []).append(_attempt(row))
    return {key: tuple(value) for key, value in out.items()}
