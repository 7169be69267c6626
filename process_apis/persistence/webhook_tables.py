"""Tables of outbound webhooks: subscriptions, one delivery per (subscription, event), and
the log of every attempt. Migration 0005 creates them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from process_apis.persistence.tables import metadata

_SEQ = BigInteger().with_variant(Integer, "sqlite")

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("url", Text, nullable=False),
    Column("description", Text, nullable=True),
    # JSON lists as text; NULL means "every event type" / "every connection".
    Column("event_types", Text, nullable=True),
    Column("connections", Text, nullable=True),
    Column("secret", String(128), nullable=False),
    # After a rotation the old secret also signs until ``previous_secret_until``, so a
    # receiver can switch without rejecting deliveries in between.
    Column("previous_secret", String(128), nullable=True),
    Column("previous_secret_until", DateTime(timezone=True), nullable=True),
    Column("status", String(16), nullable=False),
    Column("disabled_reason", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# ``seq`` is the order the enqueuer wrote deliveries in (the outbox order): a subscription
# receives its deliveries in ``seq`` order.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("seq", _SEQ, primary_key=True),
    Column("id", String(36), nullable=False, unique=True),
    Column(
        "subscription_id",
        String(36),
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", String(128), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("connection", String(64), nullable=False),
    # The exact body sent on every attempt, fixed when the delivery was enqueued.
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("series", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("lease_token", String(36), nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    # The trace of the request that staged the event (W3C traceparent): attempts join it.
    Column("traceparent", String(64), nullable=True),
    UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_sub_event"),
    Index("ix_webhook_deliveries_status_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_sub_status_seq", "subscription_id", "status", "seq"),
    Index("ix_webhook_deliveries_event", "event_id"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("seq", _SEQ, primary_key=True),
    Column(
        "delivery_id",
        String(36),
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("number", Integer, nullable=False),
    Column("series", Integer, nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("duration_ms", Integer, nullable=False),
    Column("response_body", Text, nullable=True),
    Column("outcome", String(16), nullable=False),
    Index("ix_webhook_attempts_delivery", "delivery_id", "number"),
)
