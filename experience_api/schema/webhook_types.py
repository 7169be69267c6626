"""GraphQL types of outbound webhooks: subscriptions, deliveries and their attempts."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from process_apis.webhooks import model


@strawberry.enum(description="Business event types a subscription can receive.")
class WebhookEventType(Enum):
    ORDER_PLACED = "order.placed"
    ORDER_STATUS_CHANGED = "order.status_changed"
    INVENTORY_CHANGED = "inventory.changed"
    INVOICE_ISSUED = "invoice.issued"
    INVOICE_STATUS_CHANGED = "invoice.status_changed"


@strawberry.enum
class WebhookSubscriptionStatus(Enum):
    ACTIVE = "active"
    DISABLED = "disabled"


@strawberry.enum(description="Pending until delivered, failed for good, or cancelled.")
class WebhookDeliveryStatus(Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


@strawberry.enum
class WebhookAttemptOutcome(Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    GONE = "gone"


def _event_types(values: tuple[str, ...] | None) -> list[WebhookEventType] | None:
    return None if values is None else [WebhookEventType(v) for v in values]


@strawberry.type(description="Where events are posted, signed with the subscription's secret.")
class WebhookSubscription:
    id: strawberry.ID
    url: str
    description: str | None
    event_types: list[WebhookEventType] | None = strawberry.field(
        description="Null: every event type."
    )
    connections: list[str] | None = strawberry.field(
        description="Only events of these ERP connections; null: every connection."
    )
    status: WebhookSubscriptionStatus
    disabled_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_model(cls, sub: model.Subscription) -> WebhookSubscription:
        return cls(
            id=strawberry.ID(sub.id),
            url=sub.url,
            description=sub.description,
            event_types=_event_types(sub.event_types),
            connections=None if sub.connections is None else list(sub.connections),
            status=WebhookSubscriptionStatus(sub.status.value),
            disabled_reason=sub.disabled_reason,
            created_at=sub.created_at,
            updated_at=sub.updated_at,
        )


@strawberry.type(description="One try to deliver, and what the receiver answered.")
class WebhookAttempt:
    number: int = strawberry.field(description="1, 2, ... over every series of the delivery.")
    series: int = strawberry.field(description="1 for the first series; +1 per redelivery.")
    attempted_at: dt.datetime
    status_code: int | None = strawberry.field(description="Null when no answer came.")
    error: str | None
    duration_ms: int
    response_body: str | None = strawberry.field(description="The answer's start, truncated.")
    outcome: WebhookAttemptOutcome


@strawberry.type(description="One event for one subscription, with every attempt.")
class WebhookDelivery:
    id: strawberry.ID
    subscription_id: strawberry.ID
    event_id: str = strawberry.field(description="Also the `webhook-id` header.")
    event_type: str
    connection: str
    status: WebhookDeliveryStatus
    attempts: int = strawberry.field(description="Tries in the current series.")
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    body: str = strawberry.field(description="The JSON body posted on every attempt.")
    attempt_log: list[WebhookAttempt]

    @classmethod
    def from_model(cls, d: model.Delivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(d.id),
            subscription_id=strawberry.ID(d.subscription_id),
            event_id=d.event_id,
            event_type=d.event_type,
            connection=d.connection,
            status=WebhookDeliveryStatus(d.status.value),
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            created_at=d.created_at,
            finished_at=d.finished_at,
            body=d.payload,
            attempt_log=[
                WebhookAttempt(
                    number=a.number,
                    series=a.series,
                    attempted_at=a.attempted_at,
                    status_code=a.status_code,
                    error=a.error,
                    duration_ms=a.duration_ms,
                    response_body=a.response_body,
                    outcome=WebhookAttemptOutcome(a.outcome.value),
                )
                for a in d.attempt_log
            ],
        )
