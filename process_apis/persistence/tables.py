"""Table definitions of the gateway's own state; migrations create them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("response", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    # The accepted command as JSON, so that a claim whose process died can be resumed.
    Column("request", Text, nullable=True),
    Index("ix_idempotency_keys_state_updated_at", "state", "updated_at"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("connection", String(64), nullable=False),
    Column("idempotency_key", String(255), nullable=True),
    # JSON as text: the same column type on SQLite and PostgreSQL, and decimals kept exact.
    Column("payload", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("erp_error_code", String(64), nullable=True),
    Column("erp_error_message", Text, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("resolved_by", String(255), nullable=True),
    Column("resolution_note", Text, nullable=True),
    Column("resolution_result", Text, nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    # When a pending record is next retried by the gateway itself.
    Column("retry_at", DateTime(timezone=True), nullable=True),
    Index("ix_quarantine_status_created_at", "status", "created_at"),
    Index("ix_quarantine_status_retry_at", "status", "retry_at"),
    Index("ix_quarantine_key", "kind", "connection", "idempotency_key"),
)

# Events written in the transaction of the change they describe; ``seq`` is the order
# in which the relay publishes them (so per aggregate too).
outbox = Table(
    "outbox",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("event_id", String(128), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("aggregate", String(255), nullable=False),
    Column("connection", String(64), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("data", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    # The trace of the request that staged the event (W3C traceparent), for its publication.
    Column("traceparent", String(64), nullable=True),
    Index("ix_outbox_published_at_seq", "published_at", "seq"),
)
