"""The write request of an agent, and the store that keeps them (a port: SQL, or a fake)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class WriteStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    """Approved and running (or interrupted while running: then its key makes a rerun safe)."""
    DONE = "done"
    FAILED = "failed"
    REJECTED = "rejected"
    EXPIRED = "expired"


@dataclass(frozen=True)
class WriteRequest:
    """A write an agent asked for: the tool and its arguments, who asked (and runs it once
    approved: ``principal`` holds its roles, scopes and connections), and its decision."""

    id: str
    tool: str
    arguments: Mapping[str, Any]
    idempotency_key: str
    requester: str
    client_id: str
    principal: Mapping[str, Any]
    status: WriteStatus
    created_at: dt.datetime
    expires_at: dt.datetime
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    note: str | None = None
    result: str | None = None


class WriteRequestStore(Protocol):
    """Keeps agents' write requests; every status change is conditional, so two people
    deciding at once never both win."""

    async def add(self, request: WriteRequest) -> WriteRequest:
        """Stores ``request``; the one already stored when its client used the same tool and
        idempotency key before."""
        ...

    async def get(self, request_id: str) -> WriteRequest | None: ...

    async def list(self, status: WriteStatus | None, limit: int) -> list[WriteRequest]:
        """Newest first."""
        ...

    async def transition(
        self,
        request_id: str,
        expected: WriteStatus,
        status: WriteStatus,
        *,
        by: str | None = None,
        at: dt.datetime | None = None,
        note: str | None = None,
        result: str | None = None,
    ) -> bool:
        """Moves the request from ``expected`` to ``status``; False when it was not in
        ``expected`` (someone else decided first)."""
        ...
