"""Quarantine of accepted requests that could not reach their ERP.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("connection", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("erp_error_code", sa.String(64), nullable=True),
        sa.Column("erp_error_message", sa.Text, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(255), nullable=True),
        sa.Column("resolution_note", sa.Text, nullable=True),
        sa.Column("resolution_result", sa.Text, nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_quarantine_status_created_at", "quarantine", ["status", "created_at"])
    op.create_index("ix_quarantine_key", "quarantine", ["kind", "connection", "idempotency_key"])


def downgrade() -> None:
    op.drop_index("ix_quarantine_key", "quarantine")
    op.drop_index("ix_quarantine_status_created_at", "quarantine")
    op.drop_table("quarantine")
