"""The write requests of AI agents awaiting a person's approval. Migration 0010 creates it."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, String, Table, Text, UniqueConstraint

from process_apis.persistence.tables import metadata

agent_write_requests = Table(
    "agent_write_requests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tool", String(64), nullable=False),
    Column("arguments", Text, nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("requester", String(255), nullable=False),
    Column("client_id", String(255), nullable=False),
    # Who the write runs as once approved (roles, scopes, connections), as JSON.
    Column("principal", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(255), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("note", Text, nullable=True),
    Column("result", Text, nullable=True),
    UniqueConstraint("client_id", "tool", "idempotency_key", name="uq_agent_write_key"),
    Index("ix_agent_write_status", "status", "created_at"),
)
