"""The audit head's keyed seal.

Revision ID: 0009
Revises: 0008

Existing heads get none (sealing needs the audit key, which the database never sees): a
chain written before this revision verifies as before until its next append seals it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_head", sa.Column("seal", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("seal")
