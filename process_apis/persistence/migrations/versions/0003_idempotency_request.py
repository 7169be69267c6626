"""The accepted command kept with its idempotency key, so a claim whose process died can
be resumed.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: keys claimed before this revision carry no command and are not resumed.
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("request", sa.Text, nullable=True))
    op.create_index(
        "ix_idempotency_keys_state_updated_at", "idempotency_keys", ["state", "updated_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_state_updated_at", "idempotency_keys")
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_column("request")
