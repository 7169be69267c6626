"""Audit entries and the keyed hash chain that links them."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

GENESIS = "0" * 64


class Outcome(StrEnum):
    OK = "ok"
    REJECTED = "rejected"  # the request was refused (bad input, a user error, not allowed)
    FAILED = "failed"  # it was accepted but failed (ERP down, unexpected error)


class AuditEvent(BaseModel):
    """What happened, as a resolver or flow reports it; never holds sensitive values."""

    model_config = ConfigDict(frozen=True)

    actor: str = Field(min_length=1, max_length=255)
    client_id: str = Field(default="", max_length=255)
    action: str = Field(min_length=1, max_length=128)
    connection: str | None = Field(default=None, max_length=64)
    record: str | None = Field(default=None, max_length=255)
    outcome: Outcome = Outcome.OK
    details: dict[str, Any] = Field(default_factory=dict)
    at: AwareDatetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))


class AuditEntry(AuditEvent):
    """An event as the log holds it: numbered and chained to the entry before."""

    seq: int = Field(ge=1)
    prev_hash: str = Field(min_length=64, max_length=64)
    hash: str = Field(min_length=64, max_length=64)


def _canonical(seq: int, prev_hash: str, event: AuditEvent) -> bytes:
    body = {
        "seq": seq,
        "prev": prev_hash,
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "client_id": event.client_id,
        "action": event.action,
        "connection": event.connection,
        "record": event.record,
        "outcome": event.outcome.value,
        "details": event.details,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(key: bytes, seq: int, prev_hash: str, event: AuditEvent) -> str:
    """HMAC-SHA256 over the entry and its predecessor's hash.

    Keyed, so that someone able to write the database but without the key cannot edit an
    entry and recompute the hashes after it.
    """
    return hmac.new(key, _canonical(seq, prev_hash, event), hashlib.sha256).hexdigest()


def chain(key: bytes, seq: int, prev_hash: str, event: AuditEvent) -> AuditEntry:
    """``event`` as entry number ``seq`` after an entry whose hash is ``prev_hash``."""
    return AuditEntry(
        **event.model_dump(),
        seq=seq,
        prev_hash=prev_hash,
        hash=entry_hash(key, seq, prev_hash, event),
    )
