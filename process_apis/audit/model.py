"""Audit entries, the keyed hash chain that links them, and the keyed seal of its head.

An entry's hash is an HMAC over its content and its predecessor's hash. The head (the
newest entry's number and hash, kept in its own row) carries a seal, an HMAC over both, so
cutting entries from the end and pointing the head at the new last one is found without
the key. Entries written since heads are sealed carry ``"v": 2`` (or later) in their hashed
content: a head without a seal over such entries had its seal removed, while a chain of only
older entries is a log not written since the upgrade. Format 3 adds the id of the request
that caused the entry to the hashed content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from process_apis.observability import current_request_id

GENESIS = "0" * 64
FORMAT = 3
"""The entry format written now: 3 holds the request id, 2 came with sealed heads, 1 is
the format from before heads were sealed."""
SEALED_FORMAT = 2
"""The first format written with sealed heads."""


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
    request_id: str | None = Field(
        default_factory=current_request_id,
        max_length=128,
        description="the request that caused it (X-Request-ID); by default the current one",
    )


class AuditEntry(AuditEvent):
    """An event as the log holds it: numbered and chained to the entry before."""

    seq: int = Field(ge=1)
    prev_hash: str = Field(min_length=64, max_length=64)
    hash: str = Field(min_length=64, max_length=64)


@dataclass(frozen=True)
class AuditHead:
    """The newest entry's number and hash as recorded at the last append, and their seal
    (None on a log not written since seals were introduced)."""

    seq: int
    hash: str
    seal: str | None


def _canonical(seq: int, prev_hash: str, event: AuditEvent, version: int) -> bytes:
    body: dict[str, Any] = {
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
    if version >= 3:
        body["request_id"] = event.request_id
    if version >= 2:
        body["v"] = version
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(
    key: bytes, seq: int, prev_hash: str, event: AuditEvent, *, version: int = FORMAT
) -> str:
    """HMAC-SHA256 over the entry and its predecessor's hash.

    Keyed, so that someone able to write the database but without the key cannot edit an
    entry and recompute the hashes after it.
    """
    return hmac.new(key, _canonical(seq, prev_hash, event, version), hashlib.sha256).hexdigest()


def entry_format(key: bytes, entry: AuditEntry) -> int | None:
    """The format whose hash ``entry`` carries (3, 2, or 1 for an entry written before heads
    were sealed); None when its hash matches none: the entry was altered."""
    event = AuditEvent.model_validate(entry.model_dump(exclude={"seq", "prev_hash", "hash"}))
    for version in (FORMAT, SEALED_FORMAT, 1):
        expected = entry_hash(key, entry.seq, entry.prev_hash, event, version=version)
        if hmac.compare_digest(expected, entry.hash):
            return version
    return None


def head_seal(key: bytes, seq: int, hash_: str) -> str:
    """The keyed seal of a head: whoever lacks the key cannot move the head back."""
    message = f"audit-head:{seq}:{hash_}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def chain(key: bytes, seq: int, prev_hash: str, event: AuditEvent) -> AuditEntry:
    """``event`` as entry number ``seq`` after an entry whose hash is ``prev_hash``."""
    return AuditEntry(
        **event.model_dump(),
        seq=seq,
        prev_hash=prev_hash,
        hash=entry_hash(key, seq, prev_hash, event),
    )
