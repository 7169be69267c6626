"""What an operator does with webhooks: register, change, pause, rotate, redeliver.

Input is validated here (URL, event types, connections) with clear errors, before
anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from process_apis.errors import InvalidInput, InvalidState, RecordNotFound
from process_apis.events.model import EventType
from process_apis.webhooks.model import (
    KEEP,
    Delivery,
    DeliveryFilter,
    DeliveryPage,
    Keep,
    NewSubscription,
    RegisteredSubscription,
    Subscription,
    SubscriptionChanges,
    SubscriptionStatus,
    new_secret,
    validate_url,
)
from process_apis.webhooks.port import WebhookStore

MAX_DESCRIPTION = 500


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class WebhookAdmin:
    """Subscriptions and the delivery log, for the admin API and the CLI.

    ``connections`` are the names of the ERP connections a subscription may filter on;
    ``rotation_grace`` is how long the previous secret still signs after a rotation;
    without ``allow_private_targets`` URLs to private or local IP addresses are refused.
    """

    def __init__(
        self,
        store: WebhookStore,
        connections: Collection[str],
        *,
        rotation_grace: dt.timedelta = dt.timedelta(hours=24),
        allow_private_targets: bool = True,
    ):
        self._store = store
        self._allow_private = allow_private_targets
        self._connections = tuple(connections)
        self._grace = rotation_grace

    async def register(
        self,
        url: str,
        *,
        event_types: Sequence[str] | None = None,
        connections: Sequence[str] | None = None,
        description: str | None = None,
    ) -> RegisteredSubscription:
        """A new active subscription and its secret (shown this once)."""
        new = NewSubscription(
            url=self._url(url),
            event_types=self._event_types(event_types),
            connections=self._connection_names(connections),
            description=_description(description),
        )
        return await self._store.add_subscription(new, new_secret())

    async def update(
        self,
        subscription_id: str,
        *,
        url: str | Keep = KEEP,
        event_types: Sequence[str] | Keep | None = KEEP,
        connections: Sequence[str] | Keep | None = KEEP,
        description: str | Keep | None = KEEP,
    ) -> Subscription:
        changes = SubscriptionChanges(
            url=url if isinstance(url, Keep) else self._url(url),
            event_types=event_types
            if isinstance(event_types, Keep)
            else self._event_types(event_types),
            connections=connections
            if isinstance(connections, Keep)
            else self._connection_names(connections),
            description=description if isinstance(description, Keep) else _description(description),
        )
        await self.get(subscription_id)
        return _found(
            await self._store.update_subscription(subscription_id, changes), subscription_id
        )

    async def get(self, subscription_id: str) -> Subscription:
        return _found(await self._store.get_subscription(subscription_id), subscription_id)

    async def list(self) -> list[Subscription]:
        return await self._store.list_subscriptions()

    async def disable(self, subscription_id: str, reason: str | None = None) -> Subscription:
        """Pause: no new deliveries are enqueued and pending ones wait until enabled."""
        text = (reason or "").strip() or "disabled by an operator"
        await self.get(subscription_id)
        updated = await self._store.set_status(
            subscription_id, SubscriptionStatus.DISABLED.value, text[:MAX_DESCRIPTION]
        )
        return _found(updated, subscription_id)

    async def enable(self, subscription_id: str) -> Subscription:
        """Resume; deliveries cancelled when it was disabled stay so (redeliver them)."""
        await self.get(subscription_id)
        updated = await self._store.set_status(
            subscription_id, SubscriptionStatus.ACTIVE.value, None
        )
        return _found(updated, subscription_id)

    async def delete(self, subscription_id: str) -> None:
        """Remove it with its deliveries and their log."""
        if not await self._store.delete_subscription(subscription_id):
            raise RecordNotFound("webhook subscription", subscription_id, field="id")

    async def rotate_secret(self, subscription_id: str) -> RegisteredSubscription:
        """A new secret; the previous one still signs for the grace period."""
        await self.get(subscription_id)
        until = _now() + self._grace if self._grace > dt.timedelta(0) else None
        rotated = await self._store.rotate_secret(subscription_id, new_secret(), until)
        if rotated is None:
            raise RecordNotFound("webhook subscription", subscription_id, field="id")
        return rotated

    async def deliveries(
        self, filter: DeliveryFilter, *, limit: int, offset: int = 0
    ) -> DeliveryPage:
        if filter.subscription_id is not None:
            await self.get(filter.subscription_id)
        return await self._store.list_deliveries(filter, limit=limit, offset=offset)

    async def delivery(self, delivery_id: str) -> Delivery:
        found = await self._store.get_delivery(delivery_id)
        if found is None:
            raise RecordNotFound("webhook delivery", delivery_id, field="delivery_id")
        return found

    async def redeliver(self, delivery_id: str) -> Delivery:
        """Send the delivery again (whatever its state) as a new series of attempts."""
        current = await self.delivery(delivery_id)
        if current.leased:
            raise InvalidState(
                f"webhook delivery {delivery_id!r} is being sent right now; try again shortly",
                field="delivery_id",
            )
        redone = await self._store.redeliver(delivery_id, _now())
        if redone is None:
            raise InvalidState(
                f"webhook delivery {delivery_id!r} is being sent right now; try again shortly",
                field="delivery_id",
            )
        return redone

    def _url(self, url: str) -> str:
        return validate_url(url, allow_private=self._allow_private)

    def _event_types(self, values: Sequence[str] | None) -> tuple[str, ...] | None:
        if values is None:
            return None
        known = {t.value for t in EventType}
        chosen: list[str] = []
        for index, value in enumerate(values):
            if value not in known:
                raise InvalidInput(
                    f"unknown event type {value!r}; known: {', '.join(sorted(known))}",
                    field=f"event_types.{index}",
                )
            if value not in chosen:
                chosen.append(value)
        if not chosen:
            raise InvalidInput(
                "name at least one event type, or none at all for every type",
                field="event_types",
            )
        return tuple(chosen)

    def _connection_names(self, values: Sequence[str] | None) -> tuple[str, ...] | None:
        if values is None:
            return None
        chosen: list[str] = []
        for index, value in enumerate(values):
            if value not in self._connections:
                raise InvalidInput(
                    f"unknown connection {value!r}; known: {', '.join(self._connections)}",
                    field=f"connections.{index}",
                )
            if value not in chosen:
                chosen.append(value)
        if not chosen:
            raise InvalidInput(
                "name at least one connection, or none at all for every connection",
                field="connections",
            )
        return tuple(chosen)


def _description(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"the description is longer than {MAX_DESCRIPTION} characters", field="description"
        )
    return text or None


def _found(subscription: Subscription | None, subscription_id: str) -> Subscription:
    if subscription is None:
        raise RecordNotFound("webhook subscription", subscription_id, field="id")
    return subscription
