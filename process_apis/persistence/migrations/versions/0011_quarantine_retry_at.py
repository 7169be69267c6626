"""Pending quarantine records: the time of their next automatic retry.

Revision ID: 0011
Revises: 0010

Existing records are open (in review) and keep no retry time.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("quarantine", sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_quarantine_status_retry_at", "quarantine", ["status", "retry_at"])


def downgrade() -> None:
    op.drop_index("ix_quarantine_status_retry_at", table_name="quarantine")
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_column("retry_at")
