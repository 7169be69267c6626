"""A named lease in the state database: of several replicas, one holds it at a time.

Taking and renewing are one conditional UPDATE (``holder`` is me, or the lease expired),
so two replicas racing for it cannot both win, on SQLite and PostgreSQL alike. A holder
that dies simply stops renewing; after ``ttl`` another replica takes over. Expiry is read
on each replica's own clock, so ``ttl`` must exceed the clock skew between replicas.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.persistence.event_tables import relay_leases as t
from process_apis.persistence.times import utc as _utc

Clock = Callable[[], dt.datetime]


def default_holder() -> str:
    """This process, recognisably: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DbLease:
    """The lease ``name`` as ``holder`` sees it; ``acquire`` also renews a lease held."""

    def __init__(
        self,
        engine: AsyncEngine,
        name: str,
        *,
        holder: str | None = None,
        ttl: dt.timedelta = dt.timedelta(seconds=10),
        clock: Clock = lambda: dt.datetime.now(dt.UTC),
    ):
        if ttl <= dt.timedelta(0):
            raise ValueError("a lease needs a positive ttl")
        self._engine = engine
        self.name = name
        self.holder = holder or default_holder()
        self.ttl = ttl
        self._clock = clock
        self._held_until: dt.datetime | None = None

    def held(self) -> bool:
        """Whether this holder's last renewal is still in force (no database round trip)."""
        return self._held_until is not None and self._clock() < self._held_until

    async def acquire(self) -> bool:
        """Take or renew the lease; False while another holder's lease is in force."""
        now = self._clock()
        expires = now + self.ttl
        for _ in range(2):
            async with self._engine.begin() as conn:
                result = await conn.execute(
                    update(t)
                    .where(t.c.name == self.name)
                    .where((t.c.holder == self.holder) | (t.c.expires_at < now))
                    .values(holder=self.holder, expires_at=expires)
                )
            if result.rowcount:
                self._held_until = expires
                return True
            if await self._exists():
                self._held_until = None
                return False
            try:
                async with self._engine.begin() as conn:
                    await conn.execute(
                        t.insert().values(name=self.name, holder=self.holder, expires_at=expires)
                    )
                self._held_until = expires
                return True
            except IntegrityError:
                continue  # another replica created it first: compete through the UPDATE
        self._held_until = None
        return False

    async def renew_if_due(self) -> bool:
        """Renew once a third of the ttl is used up; True while the lease is held."""
        if self._held_until is not None and self._clock() < self._held_until - self.ttl * 2 / 3:
            return True
        return await self.acquire()

    async def release(self) -> None:
        """Give the lease up at once (on shutdown), so another replica need not wait."""
        if self._held_until is None:
            return
        self._held_until = None
        past = self._clock() - dt.timedelta(seconds=1)
        async with self._engine.begin() as conn:
            await conn.execute(
                update(t)
                .where(t.c.name == self.name, t.c.holder == self.holder)
                .values(expires_at=past)
            )

    async def current_holder(self) -> tuple[str, dt.datetime] | None:
        """Who holds the lease and until when, as stored (for operators and tests)."""
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(t.c.holder, t.c.expires_at).where(t.c.name == self.name))
            ).first()
        return None if row is None else (row.holder, _utc(row.expires_at))

    async def _exists(self) -> bool:
        async with self._engine.connect() as conn:
            found = await conn.execute(select(t.c.name).where(t.c.name == self.name))
            return found.first() is not None
