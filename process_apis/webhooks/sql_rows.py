"""Rows of the webhook tables as the store's records, and the helpers the SQL store shares."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import ColumnElement, Row, or_

from process_apis.persistence.times import maybe_utc, utc
from process_apis.persistence.webhook_tables import webhook_deliveries as dl
from process_apis.webhooks.model import (
    Attempt,
    AttemptOutcome,
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionStatus,
)

PENDING = DeliveryStatus.PENDING.value


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def json_list(values: tuple[str, ...] | None) -> str | None:
    return None if values is None else json.dumps(list(values))


def as_tuple(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(json.loads(text))


def subscription_from_row(row: Row[Any]) -> Subscription:
    return Subscription(
        id=row.id,
        url=row.url,
        description=row.description,
        event_types=as_tuple(row.event_types),
        connections=as_tuple(row.connections),
        status=SubscriptionStatus(row.status),
        disabled_reason=row.disabled_reason,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
    )


def attempt_from_row(row: Row[Any]) -> Attempt:
    return Attempt(
        number=row.number,
        series=row.series,
        attempted_at=utc(row.attempted_at),
        status_code=row.status_code,
        error=row.error,
        duration_ms=row.duration_ms,
        response_body=row.response_body,
        outcome=AttemptOutcome(row.outcome),
    )


def delivery_from_row(row: Row[Any], attempts: tuple[Attempt, ...] = ()) -> Delivery:
    lease = maybe_utc(row.lease_until)
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
        next_attempt_at=maybe_utc(row.next_attempt_at),
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        finished_at=maybe_utc(row.finished_at),
        leased=lease is not None and lease > now_utc(),
        attempt_log=attempts,
    )


def lease_free(now: dt.datetime) -> ColumnElement[bool]:
    # A lease past its time belongs to a worker that died or stalled; it blocks no one.
    return or_(dl.c.lease_until.is_(None), dl.c.lease_until < now)
