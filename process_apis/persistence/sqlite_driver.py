"""The SQLite driver of the state database: aiosqlite, one trip to its thread per statement.

aiosqlite runs every call on a thread of its own and hands the answer back to the event
loop. SQLAlchemy's adapter makes four such calls per statement (open a cursor, execute,
fetch the rows, close the cursor), each a wake-up of that thread, a hand-over of the GIL
and a wake-up of the loop. The cursor here makes one: the statement runs, its rows are
fetched and its cursor closed in one call on that thread, the very calls the adapter makes
one by one. Transactions, errors and everything else are the adapter's own.

Written against SQLAlchemy 2.1's ``sqlite+aiosqlite`` adapter and aiosqlite 0.22, whose
``Connection._execute`` (run a function on the connection's thread) it relies on; the
state store contract tests run through it.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT

_Description = tuple[tuple[Any, ...], ...] | None


def _run(
    conn: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[_Description, int, int | None, list[Any] | None]:
    """On the connection's thread: execute, fetch every row, close the cursor."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose statement costs one call on the connection's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection):
        # No aiosqlite cursor is opened here: the statement opens and closes its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: _Description = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        pass  # nothing is open: the rows are fetched and the cursor is closed

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        return await self._trip(operation, seq_of_parameters, many=True)

    async def _trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            answer = await connection._execute(  # type: ignore[no-untyped-call]
                _run, connection._conn, operation, parameters, many
            )
        self._description, self._rowcount, self._lastrowid, rows = answer
        if rows is not None:
            self._rows = collections.deque(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """The adapter's connection with :class:`OneTripCursor` cursors; a commit or rollback
    with no transaction open makes no call on the thread (sqlite3 would do nothing there:
    the pool rolls back every connection it takes back, also one just committed)."""

    __slots__ = ()
    _cursor_cls = OneTripCursor  # type: ignore[assignment]  # a subclass of the adapter's

    def _in_transaction(self) -> bool:
        conn: sqlite3.Connection | None = self._connection._connection
        return conn is not None and conn.in_transaction

    def rollback(self) -> None:
        if self._in_transaction():
            super().rollback()

    def commit(self) -> None:
        if self._in_transaction():
            super().commit()


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The adapter's DBAPI module with :class:`OneTripCursor` cursors; passed to
    ``create_async_engine`` as its ``module``."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)
