"""Webhook subscriptions in SQL, a part of :class:`.sql_store.SqlWebhookStore`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.persistence.webhook_tables import webhook_attempts as at
from process_apis.persistence.webhook_tables import webhook_deliveries as dl
from process_apis.persistence.webhook_tables import webhook_subscriptions as sb
from process_apis.webhooks.model import (
    KEEP,
    NewSubscription,
    RegisteredSubscription,
    Subscription,
    SubscriptionChanges,
    SubscriptionStatus,
)
from process_apis.webhooks.sql_rows import (
    json_list,
    now_utc,
    subscription_from_row,
)


class SqlSubscriptions:
    """Subscriptions in the ``webhook_subscriptions`` table."""

    _engine: AsyncEngine

    async def add_subscription(self, new: NewSubscription, secret: str) -> RegisteredSubscription:
        now = now_utc()
        subscription_id = str(uuid.uuid4())
        async with self._engine.begin() as conn:
            await conn.execute(
                sb.insert().values(
                    id=subscription_id,
                    url=new.url,
                    description=new.description,
                    event_types=json_list(new.event_types),
                    connections=json_list(new.connections),
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
        return None if row is None else subscription_from_row(row)

    async def list_subscriptions(self) -> list[Subscription]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(sb).order_by(sb.c.created_at, sb.c.id))
            return [subscription_from_row(row) for row in rows]

    async def update_subscription(
        self, subscription_id: str, changes: SubscriptionChanges
    ) -> Subscription | None:
        values: dict[str, Any] = {"updated_at": now_utc()}
        if changes.url is not KEEP:
            values["url"] = changes.url
        if changes.description is not KEEP:
            values["description"] = changes.description
        if changes.event_types is not KEEP:
            values["event_types"] = json_list(changes.event_types)
        if changes.connections is not KEEP:
            values["connections"] = json_list(changes.connections)
        return await self._change(subscription_id, values)

    async def set_status(
        self, subscription_id: str, status: str, reason: str | None
    ) -> Subscription | None:
        return await self._change(
            subscription_id, {"status": status, "disabled_reason": reason, "updated_at": now_utc()}
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
                    updated_at=now_utc(),
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
