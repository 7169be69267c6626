"""The ``inbound_events`` table: webhooks received from WMS, ERP and CRM systems.

A row is written when a signed webhook is accepted and is never deleted by the gateway;
``(source, webhook_id)`` is unique, so a redelivered webhook is recognised as a duplicate.
``status`` is ``pending`` until the processor finishes it as ``processed`` or
``quarantined``; ``lease_until`` and ``lease_token`` mark the process working on it. An
event is taken only when no earlier pending event has its ``ordering_key``.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text, UniqueConstraint

from process_apis.persistence.tables import metadata

inbound_events = Table(
    "inbound_events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("webhook_id", String(255), nullable=False),
    Column("type", String(64), nullable=False),
    Column("connection", String(64), nullable=False),
    # The record the event changes: one event per key at a time, in order of arrival.
    Column("ordering_key", String(255), nullable=False),
    # The validated ``data`` object as JSON text (decimals kept as strings, exact).
    Column("data", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("lease_token", String(36), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("quarantine_id", String(36), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("source", "webhook_id", name="uq_inbound_events_source_webhook_id"),
    Index("ix_inbound_events_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_inbound_events_ordering_key_status", "ordering_key", "status", "received_at"),
)
