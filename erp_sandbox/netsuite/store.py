"""The sandbox's SQLite database, with the Oracle functions SuiteQL queries use.

SQLite runs SuiteQL's SQL-92 subset as it is; ``TO_CHAR``, ``TO_DATE`` and ``TO_TIMESTAMP``
(Oracle's, with ``YYYY MM DD HH24 MI SS`` format elements) are registered as functions over
the text timestamps the tables hold. One lock serialises access: the sandbox may be served
by uvicorn while a test reads it from another thread.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from erp_sandbox.netsuite.schema import DDL, TABLES

STAMP = "%Y-%m-%d %H:%M:%S"
_ELEMENTS = {"YYYY": "%Y", "HH24": "%H", "MI": "%M", "SS": "%S", "MM": "%m", "DD": "%d"}
_ELEMENT = re.compile("|".join(_ELEMENTS))
_LITERAL = re.compile(r"('(?:[^']|'')*')")
_KEYWORD = re.compile(r'(?<!")\btransaction\b(?!")', re.IGNORECASE)


def sqlite_dialect(query: str) -> str:
    """SuiteQL names a table and a column ``transaction``, a keyword to SQLite: quoted here
    (outside string literals) so the query runs as NetSuite would run it."""
    parts = _LITERAL.split(query)
    return "".join(
        part if index % 2 else _KEYWORD.sub('"transaction"', part)
        for index, part in enumerate(parts)
    )


def stamp(moment: datetime) -> str:
    """A timestamp as the tables hold it (UTC text)."""
    return moment.astimezone(UTC).strftime(STAMP)


def _strftime_format(oracle: str) -> str:
    text = oracle.replace('"T"', "T")
    return _ELEMENT.sub(lambda m: _ELEMENTS[m.group(0)], text)


def _to_char(value: Any, oracle: str | None = None) -> Any:
    if value is None or oracle is None or not isinstance(value, str):
        return value if value is None or isinstance(value, str) else str(value)
    parsed = datetime.strptime(value[:19], STAMP if len(value) > 10 else "%Y-%m-%d")
    return parsed.strftime(_strftime_format(oracle))


def _to_timestamp(value: Any, oracle: str) -> str:
    if not isinstance(value, str):
        raise ValueError("TO_TIMESTAMP takes text")
    return datetime.strptime(value, _strftime_format(oracle)).strftime(STAMP)


def _to_date(value: Any, oracle: str) -> str:
    return _to_timestamp(value, oracle)[:10]


class Store:
    """The database of one sandbox (a file in ``data_dir``, else memory)."""

    def __init__(self, data_dir: Path | None) -> None:
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
            target = str(data_dir / "netsuite_sandbox.sqlite3")
        else:
            target = ":memory:"
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        for name, arity, function in (
            ("TO_CHAR", 1, _to_char),
            ("TO_CHAR", 2, _to_char),
            ("TO_TIMESTAMP", 2, _to_timestamp),
            ("TO_DATE", 2, _to_date),
        ):
            self._db.create_function(name, arity, function, deterministic=True)
        self._lock = threading.RLock()
        self._db.executescript(DDL)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(item)")}
        if "istaxable" not in columns:  # a file from before items said whether they are taxed
            self._db.execute("ALTER TABLE item ADD COLUMN istaxable TEXT DEFAULT 'T'")

    @property
    def empty(self) -> bool:
        with self._lock:
            count: int = self._db.execute("SELECT COUNT(*) FROM customer").fetchone()[0]
            return count == 0

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """The database inside one transaction: committed when the block ends normally."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The database, for reads only, with nobody else using it meanwhile."""
        with self._lock:
            yield self._db

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(row) for row in self._db.execute(sql, params).fetchall()]

    def suiteql(self, sql: str) -> list[dict[str, Any]]:
        """Runs a read-only query on the SuiteQL tables only (anything else is refused)."""
        with self._lock:
            self._db.set_authorizer(_read_only)
            try:
                cursor = self._db.execute(sqlite_dialect(sql))
                names = [d[0].lower() for d in cursor.description or ()]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            finally:
                self._db.set_authorizer(None)

    def clear(self) -> None:
        with self.write() as db:
            for table in (*TABLES, "meta"):
                db.execute(f'DELETE FROM "{table}"')

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _read_only(action: int, arg1: str | None, arg2: str | None, *_: object) -> int:
    if action == sqlite3.SQLITE_SELECT or action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_READ and arg1 in TABLES:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY
