"""The change-capture poller's watermarks (migration 0006)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table, Text

from process_apis.persistence.tables import metadata

# One row per connection and stream: changes before ``watermark`` are captured; ``seen``
# (JSON: event id → change time) names what was captured near it, so a re-read of the overlap
# stages nothing twice; ``origin`` is where capture began, older changes are never events;
# ``version`` makes each advance a compare-and-set between replicas.
change_capture_watermarks = Table(
    "change_capture_watermarks",
    metadata,
    Column("connection", String(64), primary_key=True),
    Column("stream", String(32), primary_key=True),
    Column("watermark", DateTime(timezone=True), nullable=False),
    Column("origin", DateTime(timezone=True), nullable=False),
    Column("seen", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
