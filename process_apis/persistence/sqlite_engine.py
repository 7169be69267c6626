"""The engine for a SQLite state file: transactions of one process take turns, first come
first served, before they ask SQLite for its single write lock.

SQLite lets one connection write at a time. The others wait in SQLite's busy handler,
which polls with growing sleeps (up to 100 ms) and serves nobody in order: under load a
transaction can poll past any busy timeout while later ones keep taking the lock between
its polls ("database is locked"). A transaction also holds the lock across event-loop turns
between its statements, so a busy process lengthens every wait. Queued here instead, the
transactions of this process reach SQLite one by one, in order, and the busy timeout is left
to cover the other processes sharing the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import weakref
from collections.abc import AsyncIterator

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# Set while this task is inside a transaction of the engine: a transaction it opens there
# (on another connection) does not queue behind itself.
_inside: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "sqlite_transactions_inside", default=frozenset()
)


class SqliteEngine(AsyncEngine):
    """An :class:`AsyncEngine` whose ``begin()`` transactions take turns in this process."""

    def __init__(self, sync_engine: Engine):
        super().__init__(sync_engine)
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        inside = _inside.get()
        if id(self) in inside:
            async with super().begin() as conn:
                yield conn
            return
        loop = asyncio.get_running_loop()
        turn = self._turns.setdefault(loop, asyncio.Lock())  # asyncio.Lock is FIFO
        async with turn:
            token = _inside.set(inside | {id(self)})
            try:
                async with super().begin() as conn:
                    yield conn
            finally:
                _inside.reset(token)
