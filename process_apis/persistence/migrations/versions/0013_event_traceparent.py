"""Outbox events and webhook deliveries: the trace of the request that staged the event.

Revision ID: 0013
Revises: 0012

A W3C traceparent, so publishing the event and delivering it join that request's trace.
Rows written before keep none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("traceparent", sa.String(64), nullable=True))
    op.add_column("webhook_deliveries", sa.Column("traceparent", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_column("traceparent")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("traceparent")
