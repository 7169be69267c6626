"""``Quota``: the client-side share of an ERP a connection may use (concurrency and rate).

The rate is aiolimiter's leaky bucket: ``burst`` calls may go back to back after an idle spell,
then one call every ``1 / requests_per_second`` seconds. Every attempt takes a slot, retries
included, so the gateway keeps within the ERP's quota however its callers behave.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiolimiter import AsyncLimiter

from system_apis.resilience.policy import ResiliencePolicy


class Quota:
    """Concurrency slots and request rate of one connection; either may be unlimited."""

    def __init__(self, policy: ResiliencePolicy) -> None:
        concurrency = policy.max_concurrency
        self._slots = asyncio.Semaphore(concurrency) if concurrency is not None else None
        self._rate: AsyncLimiter | None = None
        rate = policy.requests_per_second
        if rate is not None:
            burst = policy.burst or max(1, int(rate))
            self._rate = AsyncLimiter(max_rate=burst, time_period=burst / rate)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Holds one concurrency slot and has spent one unit of rate while the block runs."""
        if self._slots is None:
            await self._take_rate()
            yield
            return
        async with self._slots:
            # The rate is taken after the slot so that a call spends it only when it can start.
            await self._take_rate()
            yield

    async def _take_rate(self) -> None:
        if self._rate is not None:
            await self._rate.acquire()
