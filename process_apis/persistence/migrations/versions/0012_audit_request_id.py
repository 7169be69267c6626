"""Audit entries: the id of the request that caused them (X-Request-ID).

Revision ID: 0012
Revises: 0011

Entries written before keep none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("request_id", sa.String(128), nullable=True))
    op.create_index("ix_audit_log_request_id", "audit_log", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_request_id", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("request_id")
