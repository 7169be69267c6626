"""Alembic environment: migrations run on the connection the gateway hands in."""

from __future__ import annotations

from alembic import context

from process_apis.persistence.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through process_apis.persistence.database.migrate")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
