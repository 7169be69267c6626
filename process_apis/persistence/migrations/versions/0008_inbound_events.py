"""Inbound events: received, deduplicated, processed durably.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("webhook_id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("connection", sa.String(64), nullable=False),
        sa.Column("ordering_key", sa.String(255), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sa.String(36), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("quarantine_id", sa.String(36), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("source", "webhook_id", name="uq_inbound_events_source_webhook_id"),
    )
    op.create_index(
        "ix_inbound_events_status_next_attempt_at",
        "inbound_events",
        ["status", "next_attempt_at"],
    )
    op.create_index(
        "ix_inbound_events_ordering_key_status",
        "inbound_events",
        ["ordering_key", "status", "received_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_events_ordering_key_status", "inbound_events")
    op.drop_index("ix_inbound_events_status_next_attempt_at", "inbound_events")
    op.drop_table("inbound_events")
