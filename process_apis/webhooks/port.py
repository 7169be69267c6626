"""Ports of outbound webhooks: the store of subscriptions and deliveries, and the sender
that posts one signed request (implemented over HTTP by the experience layer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from process_apis.events.model import Event
from process_apis.webhooks.model import (
    AttemptResult,
    ClaimedDelivery,
    Delivery,
    DeliveryFilter,
    DeliveryPage,
    NewSubscription,
    RegisteredSubscription,
    Subscription,
    SubscriptionChanges,
)


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True)
class WebhookResponse:
    """What came back: a status code, or ``error`` when no response arrived (timeout,
    refused connection, TLS failure). ``body`` is already truncated for the log;
    ``retry_after`` is the raw header, parsed by the worker."""

    status_code: int | None
    duration_ms: int
    body: str | None = None
    retry_after: str | None = None
    error: str | None = None


class WebhookSender(Protocol):
    """Posts one webhook request; never raises for what the receiver or the network did
    (that is a :class:`WebhookResponse` with ``error``), follows no redirect."""

    async def send(self, request: WebhookRequest) -> WebhookResponse: ...


class WebhookStore(Protocol):
    """Subscriptions, one delivery per (subscription, event), and every attempt.

    Every change a worker makes to a delivery is conditional on its lease, so a worker
    whose lease expired (it stalled, another worker took over) changes nothing.
    """

    async def add_subscription(
        self, new: NewSubscription, secret: str
    ) -> RegisteredSubscription: ...

    async def get_subscription(self, subscription_id: str) -> Subscription | None: ...

    async def list_subscriptions(self) -> list[Subscription]: ...

    async def update_subscription(
        self, subscription_id: str, changes: SubscriptionChanges
    ) -> Subscription | None: ...

    async def set_status(
        self, subscription_id: str, status: str, reason: str | None
    ) -> Subscription | None: ...

    async def rotate_secret(
        self, subscription_id: str, secret: str, previous_valid_until: dt.datetime | None
    ) -> RegisteredSubscription | None: ...

    async def delete_subscription(self, subscription_id: str) -> bool: ...

    async def enqueue(self, events: Sequence[Event]) -> int: ...

    async def claim(
        self, *, limit: int, now: dt.datetime, lease_until: dt.datetime
    ) -> list[ClaimedDelivery]: ...

    async def record_attempt(
        self, claimed: ClaimedDelivery, result: AttemptResult, *, cancel_reason: str | None
    ) -> bool: ...

    async def get_delivery(self, delivery_id: str) -> Delivery | None: ...

    async def list_deliveries(
        self, filter: DeliveryFilter, *, limit: int, offset: int = 0
    ) -> DeliveryPage: ...

    async def redeliver(self, delivery_id: str, now: dt.datetime) -> Delivery | None: ...

    async def purge_delivered(self, before: dt.datetime, *, limit: int = 1000) -> int: ...
