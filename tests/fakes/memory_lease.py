"""Named leases in a dict, with the SQL lease's rules: one holder at a time, taken over
once it runs out, on the holder's own clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


class MemoryLeases:
    """The shared table of leases: name → (holder, expires at)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, dt.datetime]] = {}


class MemoryLease:
    def __init__(
        self,
        leases: MemoryLeases,
        name: str,
        *,
        holder: str,
        ttl: dt.timedelta = dt.timedelta(seconds=10),
        clock: Clock = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        if ttl <= dt.timedelta(0):
            raise ValueError("a lease needs a positive ttl")
        self._leases = leases
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self._clock = clock
        self._held_until: dt.datetime | None = None

    def held(self) -> bool:
        return self._held_until is not None and self._clock() < self._held_until

    async def acquire(self) -> bool:
        now = self._clock()
        row = self._leases.rows.get(self.name)
        if row is not None and row[0] != self.holder and not row[1] < now:
            self._held_until = None
            return False
        self._held_until = now + self.ttl
        self._leases.rows[self.name] = (self.holder, self._held_until)
        return True

    async def renew_if_due(self) -> bool:
        if self._held_until is not None and self._clock() < self._held_until - self.ttl * 2 / 3:
            return True
        return await self.acquire()

    async def release(self) -> None:
        if self._held_until is None:
            return
        self._held_until = None
        row = self._leases.rows.get(self.name)
        if row is not None and row[0] == self.holder:
            self._leases.rows[self.name] = (self.holder, self._clock() - dt.timedelta(seconds=1))

    async def current_holder(self) -> tuple[str, dt.datetime] | None:
        return self._leases.rows.get(self.name)
