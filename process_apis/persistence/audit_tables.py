"""Tables of the audit log; migration 0007 creates them, 0009 seals the head, 0012 adds
the request id."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, String, Table, Text

from process_apis.persistence.tables import metadata

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("action", String(128), nullable=False, index=True),
    Column("connection", String(64), nullable=True),
    Column("record", String(255), nullable=True, index=True),
    Column("outcome", String(16), nullable=False),
    Column("details", Text, nullable=False),
    Column("request_id", String(128), nullable=True, index=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# One row: the newest entry's number and hash, and their keyed seal. Appends lock it, so
# entries from several replicas form one chain; verification compares it with the newest
# entry and checks the seal.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("seal", String(64), nullable=True),
)
