"""A webhook store in dicts and lists, with the SQL store's rules: one delivery per
(subscription, event), only the oldest pending delivery of an active subscription is
claimed, every change a worker makes is conditional on its lease token."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from process_apis.events.model import Event
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

FINAL = {
    AttemptOutcome.DELIVERED: DeliveryStatus.DELIVERED,
    AttemptOutcome.RETRY: DeliveryStatus.PENDING,
    AttemptOutcome.FAILED: DeliveryStatus.FAILED,
    AttemptOutcome.GONE: DeliveryStatus.FAILED,
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class _SubscriptionRow:
    subscription: Subscription
    secret: str
    previous_secret: str | None = None
    previous_until: dt.datetime | None = None


@dataclass
class _DeliveryRow:
    seq: int
    delivery: Delivery
    lease_until: dt.datetime | None = None
    lease_token: str | None = None
    log: list[Attempt] = field(default_factory=list)

    def lease_free(self, now: dt.datetime) -> bool:
        return self.lease_until is None or self.lease_until < now

    def change(self, **changes: object) -> None:
        self.delivery = dataclasses.replace(self.delivery, **changes)  # type: ignore[arg-type]

    def read(self) -> Delivery:
        leased = self.lease_until is not None and self.lease_until > _now()
        return dataclasses.replace(self.delivery, leased=leased, attempt_log=tuple(self.log))


class MemoryWebhookStore:
    def __init__(self) -> None:
        self.subscriptions: dict[str, _SubscriptionRow] = {}
        self.deliveries: list[_DeliveryRow] = []
        self._seq = 0

    # -- subscriptions -------------------------------------------------------------------

    async def add_subscription(self, new: NewSubscription, secret: str) -> RegisteredSubscription:
        now = _now()
        subscription = Subscription(
            id=str(uuid.uuid4()),
            url=new.url,
            description=new.description,
            event_types=new.event_types,
            connections=new.connections,
            status=SubscriptionStatus.ACTIVE,
            disabled_reason=None,
            created_at=now,
            updated_at=now,
        )
        self.subscriptions[subscription.id] = _SubscriptionRow(subscription, secret)
        return RegisteredSubscription(subscription=subscription, secret=secret)

    async def get_subscription(self, subscription_id: str) -> Subscription | None:
        row = self.subscriptions.get(subscription_id)
        return None if row is None else row.subscription

    async def list_subscriptions(self) -> list[Subscription]:
        return self._subscriptions()

    async def update_subscription(
        self, subscription_id: str, changes: SubscriptionChanges
    ) -> Subscription | None:
        values = {
            name: getattr(changes, name)
            for name in ("url", "description", "event_types", "connections")
            if getattr(changes, name) is not KEEP
        }
        return self._change(subscription_id, **values)

    async def set_status(
        self, subscription_id: str, status: str, reason: str | None
    ) -> Subscription | None:
        return self._change(
            subscription_id, status=SubscriptionStatus(status), disabled_reason=reason
        )

    async def rotate_secret(
        self, subscription_id: str, secret: str, previous_valid_until: dt.datetime | None
    ) -> RegisteredSubscription | None:
        row = self.subscriptions.get(subscription_id)
        if row is None:
            return None
        row.previous_secret = row.secret if previous_valid_until else None
        row.previous_until = previous_valid_until
        row.secret = secret
        changed = self._change(subscription_id)
        assert changed is not None
        return RegisteredSubscription(changed, secret)

    async def delete_subscription(self, subscription_id: str) -> bool:
        self.deliveries = [
            d for d in self.deliveries if d.delivery.subscription_id != subscription_id
        ]
        return self.subscriptions.pop(subscription_id, None) is not None

    # -- deliveries ----------------------------------------------------------------------

    async def enqueue(self, events: Sequence[Event]) -> int:
        now = _now()
        active = [s for s in self._subscriptions() if s.status is SubscriptionStatus.ACTIVE]
        existing = {(d.delivery.subscription_id, d.delivery.event_id) for d in self.deliveries}
        added = 0
        for event in events:
            for sub in active:
                if (sub.id, event.id) in existing or not sub.wants(
                    event.type.value, event.connection
                ):
                    continue
                existing.add((sub.id, event.id))
                self._seq += 1
                self.deliveries.append(_DeliveryRow(self._seq, _new(sub.id, event, now)))
                added += 1
        return added

    async def claim(
        self, *, limit: int, now: dt.datetime, lease_until: dt.datetime
    ) -> list[ClaimedDelivery]:
        heads: list[_DeliveryRow] = []
        for sub in self._subscriptions():
            pending = [
                d
                for d in self.deliveries
                if d.delivery.subscription_id == sub.id
                and d.delivery.status is DeliveryStatus.PENDING
            ]
            if sub.status is not SubscriptionStatus.ACTIVE or not pending:
                continue
            head = min(pending, key=lambda d: d.seq)
            due = head.delivery.next_attempt_at
            if due is not None and due <= now and head.lease_free(now):
                heads.append(head)
        heads.sort(key=lambda d: (d.delivery.next_attempt_at or now, d.seq))
        claimed = []
        for row in sorted(heads[:limit], key=lambda d: d.seq):
            row.lease_until, row.lease_token = lease_until, str(uuid.uuid4())
            sub_row = self.subscriptions[row.delivery.subscription_id]
            until = sub_row.previous_until
            previous = sub_row.previous_secret if until is not None and until > now else None
            claimed.append(
                ClaimedDelivery(
                    delivery=row.read(),
                    url=sub_row.subscription.url,
                    keys=SigningKeys(current=sub_row.secret, previous=previous),
                    lease_token=row.lease_token,
                )
            )
        return claimed

    async def record_attempt(
        self, claimed: ClaimedDelivery, result: AttemptResult, *, cancel_reason: str | None
    ) -> bool:
        row = self._delivery(claimed.delivery.id)
        if row is None:
            return False  # deleted with its subscription meanwhile: nothing to log on
        changed = (
            row.lease_token == claimed.lease_token and row.delivery.status is DeliveryStatus.PENDING
        )
        if changed:
            finished = result.outcome is not AttemptOutcome.RETRY
            row.lease_until = row.lease_token = None
            row.change(
                status=FINAL[result.outcome],
                attempts=row.delivery.attempts + 1,
                next_attempt_at=None if finished else result.next_attempt_at,
                last_status_code=result.status_code,
                last_error=result.error,
                updated_at=result.attempted_at,
                finished_at=result.attempted_at if finished else None,
            )
        row.log.append(
            Attempt(
                number=max((a.number for a in row.log), default=0) + 1,
                series=claimed.delivery.series,
                attempted_at=result.attempted_at,
                status_code=result.status_code,
                error=result.error,
                duration_ms=result.duration_ms,
                response_body=result.response_body,
                outcome=result.outcome,
            )
        )
        if cancel_reason is not None:
            self._disable_and_cancel(claimed.delivery.subscription_id, cancel_reason)
        return changed

    async def get_delivery(self, delivery_id: str) -> Delivery | None:
        row = self._delivery(delivery_id)
        return None if row is None else row.read()

    async def list_deliveries(
        self, filter: DeliveryFilter, *, limit: int, offset: int = 0
    ) -> DeliveryPage:
        matching = [
            d.read()
            for d in sorted(self.deliveries, key=lambda d: d.seq, reverse=True)
            if (filter.subscription_id in (None, d.delivery.subscription_id))
            and (filter.status is None or d.delivery.status is filter.status)
            and (filter.event_id in (None, d.delivery.event_id))
        ]
        return DeliveryPage(
            items=tuple(matching[offset : offset + limit]), total=len(matching), offset=offset
        )

    async def redeliver(self, delivery_id: str, now: dt.datetime) -> Delivery | None:
        row = self._delivery(delivery_id)
        if row is None or not row.lease_free(now):
            return None
        row.lease_until = row.lease_token = None
        row.change(
            status=DeliveryStatus.PENDING,
            attempts=0,
            series=row.delivery.series + 1,
            next_attempt_at=now,
            updated_at=now,
            finished_at=None,
        )
        return row.read()

    async def purge_delivered(self, before: dt.datetime, *, limit: int = 1000) -> int:
        old = [
            d.delivery.id
            for d in self.deliveries
            if d.delivery.status is DeliveryStatus.DELIVERED
            and d.delivery.finished_at is not None
            and d.delivery.finished_at < before
        ][:limit]
        self.deliveries = [d for d in self.deliveries if d.delivery.id not in old]
        return len(old)

    # -- helpers -------------------------------------------------------------------------

    def _subscriptions(self) -> list[Subscription]:
        rows = sorted(
            self.subscriptions.values(),
            key=lambda r: (r.subscription.created_at, r.subscription.id),
        )
        return [r.subscription for r in rows]

    def _change(self, subscription_id: str, **changes: object) -> Subscription | None:
        row = self.subscriptions.get(subscription_id)
        if row is None:
            return None
        row.subscription = dataclasses.replace(
            row.subscription,
            updated_at=_now(),
            **changes,  # type: ignore[arg-type]
        )
        return row.subscription

    def _delivery(self, delivery_id: str) -> _DeliveryRow | None:
        return next((d for d in self.deliveries if d.delivery.id == delivery_id), None)

    def _disable_and_cancel(self, subscription_id: str, reason: str) -> None:
        now = _now()
        self._change(subscription_id, status=SubscriptionStatus.DISABLED, disabled_reason=reason)
        for row in self.deliveries:
            if (
                row.delivery.subscription_id == subscription_id
                and row.delivery.status is DeliveryStatus.PENDING
            ):
                row.lease_until = row.lease_token = None
                row.change(
                    status=DeliveryStatus.CANCELLED,
                    last_error=reason,
                    next_attempt_at=None,
                    updated_at=now,
                    finished_at=now,
                )


def _new(subscription_id: str, event: Event, now: dt.datetime) -> Delivery:
    return Delivery(
        id=str(uuid.uuid4()),
        subscription_id=subscription_id,
        event_id=event.id,
        event_type=event.type.value,
        connection=event.connection,
        payload=delivery_body(event),
        status=DeliveryStatus.PENDING,
        attempts=0,
        series=1,
        next_attempt_at=now,
        last_status_code=None,
        last_error=None,
        created_at=now,
        updated_at=now,
        finished_at=None,
    )
