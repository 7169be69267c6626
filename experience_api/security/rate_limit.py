"""Requests per client in a moving window, counted in memory or in Redis.

With Redis every gateway instance pointing at the same server draws on one budget per
client. When the counter store cannot be reached requests are let through and the failure
is logged: the limiter protects the ERPs from one greedy client, it must not take the whole
API down with it.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from experience_api.security.config import RateLimitSettings
from experience_api.security.permissions import Role
from experience_api.security.principal import Principal

log = logging.getLogger(__name__)
NAMESPACE = "erp-gateway"
_ROLES = frozenset(role.value for role in Role)


@dataclass(frozen=True)
class Decision:
    """Whether a request may go on, and what the RateLimit headers tell the client."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        values = [
            (b"ratelimit-limit", str(self.limit)),
            (b"ratelimit-remaining", str(self.remaining)),
            (b"ratelimit-reset", str(self.reset_seconds)),
        ]
        if not self.allowed:
            values.append((b"retry-after", str(max(self.reset_seconds, 1))))
        return [(name, value.encode()) for name, value in values]


def storage_url(configured: str) -> str:
    """The URL ``limits`` expects for its asyncio storages."""
    return configured if configured.startswith("async+") else f"async+{configured}"


class RateLimiter:
    """A moving-window limit per client key; the limit depends on the caller's roles."""

    def __init__(self, settings: RateLimitSettings):
        storage = storage_from_string(storage_url(settings.storage_url))
        if not isinstance(storage, Storage):
            raise ValueError(f"not an asyncio rate limit storage: {settings.storage_url}")
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(storage)
        self._default = parse(settings.default)
        self._per_role = {role: parse(rate) for role, rate in settings.per_role.items()}
        self._failed = parse(settings.failed_auth)

    def limit_for(self, principal: Principal | None) -> RateLimitItem:
        """The most generous limit among the caller's roles, else the default."""
        known = [Role(r) for r in principal.roles if r in _ROLES] if principal else []
        items = [self._per_role.get(role, self._default) for role in known] or [self._default]
        return max(items, key=lambda item: item.amount / item.get_expiry())

    async def hit(self, key: str, principal: Principal | None) -> Decision:
        """Count one request for ``key``."""
        item = self.limit_for(principal)
        identifiers = (NAMESPACE, key)
        try:
            allowed = await self._strategy.hit(item, *identifiers)
            stats = await self._strategy.get_window_stats(item, *identifiers)
        except Exception as exc:  # the store's own errors vary by backend
            log.warning("rate limit store unavailable, request let through: %s", exc)
            return Decision(allowed=True, limit=item.amount, remaining=item.amount, reset_seconds=0)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return Decision(
            allowed=allowed, limit=item.amount, remaining=stats.remaining, reset_seconds=reset
        )

    async def failures_exhausted(self, who: str) -> Decision | None:
        """A refusal when ``who`` (``addr:<address>`` or ``token:<fingerprint>``) has sent
        too many invalid tokens lately, else None."""
        identifiers = (NAMESPACE, f"failed:{who}")
        try:
            if await self._strategy.test(self._failed, *identifiers):
                return None
            stats = await self._strategy.get_window_stats(self._failed, *identifiers)
        except Exception as exc:
            log.warning("rate limit store unavailable, request let through: %s", exc)
            return None
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Decision(allowed=False, limit=self._failed.amount, remaining=0, reset_seconds=reset)

    async def count_failure(self, *who: str) -> None:
        """Count one invalid token against each of ``who``."""
        try:
            for key in who:
                await self._strategy.hit(self._failed, NAMESPACE, f"failed:{key}")
        except Exception as exc:
            log.warning("rate limit store unavailable: %s", exc)

    def close(self) -> None:
        """Drop the counter store's connections (Redis); memory has none."""
        client = getattr(getattr(self._storage, "bridge", None), "storage", None)
        pool = getattr(client, "connection_pool", None)
        if pool is not None:
            pool.disconnect()

    async def reset(self) -> None:
        """Forget every count (tests and operators after changing limits)."""
        await self._storage.reset()
