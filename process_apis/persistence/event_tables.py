"""Tables of the outbox relay (the outbox itself is in :mod:`.tables`)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Table

from process_apis.persistence.tables import metadata

# One row per relay name: the replica that holds it publishes, the others wait until
# ``expires_at`` passes without a renewal (the holder died or hangs).
relay_leases = Table(
    "relay_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
