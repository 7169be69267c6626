"""The idempotency store port and the records it keeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from process_apis.events.model import Event


class KeyState(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@dataclass(frozen=True)
class KeyRecord:
    scope: str
    key: str
    fingerprint: str
    state: KeyState
    response: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    expires_at: dt.datetime
    request: str | None = None
    """The accepted command as JSON, kept so that a claim whose process died can be resumed."""


class IdempotencyStore(Protocol):
    """Durable memory of idempotency keys, shared by every replica of the gateway.

    ``claim`` is atomic: of two concurrent claims of one key exactly one returns None
    (it owns the key); the other gets the existing record.
    """

    async def claim(
        self,
        scope: str,
        key: str,
        fingerprint: str,
        ttl: dt.timedelta,
        *,
        request: str | None = None,
    ) -> KeyRecord | None:
        """Claim a key for a new request; the existing record when already claimed.

        ``request`` is kept with a new claim (an existing record keeps its own).
        """
        ...

    async def reclaim(self, scope: str, key: str, stale_before: dt.datetime) -> bool:
        """Take over an in-progress claim untouched since ``stale_before`` (its owner died).

        Atomic like ``claim``: of two concurrent reclaims at most one returns True.
        """
        ...

    async def stalled(
        self, scope_prefix: str, stale_before: dt.datetime, *, limit: int
    ) -> list[KeyRecord]:
        """In-progress claims in scopes starting with ``scope_prefix``, untouched since
        ``stale_before`` and not expired, that kept their request; the oldest first."""
        ...

    async def complete(
        self, scope: str, key: str, response: str, *, events: Sequence[Event] = ()
    ) -> None:
        """Store the result of the request that owns the key, and stage ``events`` in the
        outbox in the same transaction: they exist exactly when the result does."""
        ...

    async def hand_over(self, scope: str, key: str) -> None:
        """Leave an in-progress claim to the quarantine, which now keeps its request: the
        claim stays claimed but is no longer a stalled request to resume."""
        ...

    async def release(self, scope: str, key: str) -> None:
        """Forget a claim whose request wrote nothing, so the key can be used again."""
        ...

    async def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Delete records past their retention; returns how many."""
        ...
