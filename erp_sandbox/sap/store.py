"""SQLite storage of the sandbox: one JSON document per entity, counters and settings.

Tables::

    entity(entity_set, key, doc)   -- key: JSON array of the key values
    meta(name, value)              -- number ranges, schema version, seed marker

Documents keep ``Decimal`` and ``datetime`` values exactly (tagged as ``{"$d": "1.50"}`` and
``{"$t": "2024-01-31T00:00:00"}``). One connection is shared under a re-entrant lock, so the
store may be used from the event loop and from other threads; :meth:`Store.write` runs its
block in one transaction, rolled back when the block raises. Decoded rows are cached per
entity set (written through, dropped on rollback), so one process owns a database file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from erp_sandbox.odata.edm import Row
from erp_sandbox.odata.indexes import RowIndex, RowIndexes

SCHEMA_VERSION = "4"
"""2: employee data (Employee Central entity sets); 3: credit accounts; 4: tax classifications."""
DATABASE_FILE = "sap_sandbox.sqlite3"
"""Name of the database file inside the data directory."""


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, time):
        return {"$h": value.isoformat()}
    raise TypeError(f"cannot store {type(value).__name__}")


def _hook(document: dict[str, Any]) -> Any:
    if len(document) == 1:
        if "$d" in document:
            return Decimal(document["$d"])
        if "$t" in document:
            return datetime.fromisoformat(document["$t"])
        if "$h" in document:
            return time.fromisoformat(document["$h"])
    return document


def encode(value: Any) -> str:
    """``value`` as stored JSON."""
    return json.dumps(value, default=_default, separators=(",", ":"), ensure_ascii=False)


def decode(text: str) -> Any:
    """The value of stored JSON."""
    return json.loads(text, object_hook=_hook)


class Transaction:
    """Reads and writes inside one store transaction (or one locked read)."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        cache: dict[str, dict[str, Row]],
        indexes: RowIndexes,
    ) -> None:
        self._db = connection
        self._cache = cache
        self._indexes = indexes

    def _set(self, entity_set: str) -> dict[str, Row]:
        rows = self._cache.get(entity_set)
        if rows is None:
            cursor = self._db.execute(
                "SELECT key, doc FROM entity WHERE entity_set = ? ORDER BY rowid", (entity_set,)
            )
            rows = {key: decode(doc) for key, doc in cursor.fetchall()}
            self._cache[entity_set] = rows
        return rows

    def rows(self, entity_set: str) -> list[Row]:
        """All rows of ``entity_set`` (copies: changing them changes nothing stored)."""
        return [dict(row) for row in self._set(entity_set).values()]

    def find(
        self, entity_set: str, index: RowIndex, wanted: Iterable[tuple[Any, ...]]
    ) -> list[Row]:
        """The rows of ``entity_set`` whose ``index`` values are among ``wanted`` (copies),
        read through the index: the cost is the rows found, not the set's size."""
        found = self._indexes.lookup(entity_set, self._set(entity_set), index, wanted)
        return [dict(row) for row in found]

    def get(self, entity_set: str, key: tuple[Any, ...]) -> Row | None:
        """The row of ``entity_set`` with ``key``, or None."""
        row = self._set(entity_set).get(encode(key))
        return dict(row) if row is not None else None

    def put(self, entity_set: str, key: tuple[Any, ...], row: Row) -> None:
        """Insert or replace the row of ``entity_set`` with ``key``."""
        encoded_key = encode(key)
        self._db.execute(
            "INSERT INTO entity (entity_set, key, doc) VALUES (?, ?, ?) "
            "ON CONFLICT (entity_set, key) DO UPDATE SET doc = excluded.doc",
            (entity_set, encoded_key, encode(row)),
        )
        rows = self._set(entity_set)
        stored = dict(row)
        self._indexes.written(entity_set, encoded_key, rows.get(encoded_key), stored)
        rows[encoded_key] = stored

    def count(self, entity_set: str) -> int:
        """The number of rows of ``entity_set``."""
        return len(self._set(entity_set))

    def meta(self, name: str) -> str | None:
        """A value of the meta table, or None."""
        found = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return str(found[0]) if found else None

    def set_meta(self, name: str, value: str) -> None:
        """Set a value of the meta table."""
        self._db.execute(
            "INSERT INTO meta (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def next_number(self, number_range: str, first: int) -> int:
        """The next number of ``number_range`` (``first`` when the range was never used)."""
        current = self.meta(f"range:{number_range}")
        number = int(current) + 1 if current is not None else first
        self.set_meta(f"range:{number_range}", str(number))
        return number

    def clear(self) -> None:
        """Delete every row and every meta value."""
        self._db.execute("DELETE FROM entity")
        self._db.execute("DELETE FROM meta")
        self._cache.clear()
        self._indexes.clear()


class Store:
    """The sandbox database: a file in ``data_dir`` or, without one, memory."""

    def __init__(self, data_dir: Path | None) -> None:
        self.path = data_dir / DATABASE_FILE if data_dir is not None else None
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._cache: dict[str, dict[str, Row]] = {}
        self._indexes = RowIndexes()
        self.generation = 0
        self._depth = 0
        """Counts write transactions (committed or not): what was read before may differ."""
        self._db = sqlite3.connect(
            str(self.path) if self.path else ":memory:",
            check_same_thread=False,
            isolation_level=None,
        )
        with self._lock:
            # WAL with synchronous=NORMAL: a commit appends to the log without waiting for the
            # disk (the log is synced at checkpoints), so a write costs microseconds instead
            # of an fsync that holds the store lock, and with it the event loop of a gateway
            # embedding the sandbox. A crash of the process loses nothing committed; a power
            # cut may lose the last transactions of this emulator, never its consistency.
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS entity (entity_set TEXT NOT NULL, key TEXT NOT NULL, "
                "doc TEXT NOT NULL, PRIMARY KEY (entity_set, key))"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        """A consistent read under the store lock."""
        with self._lock:
            yield Transaction(self._db, self._cache, self._indexes)

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        """One transaction: committed when the block ends, rolled back when it raises.

        Inside another write (a ``$batch`` changeset) it is a savepoint of the outer one:
        released when the block ends, and nothing is committed before the outer block ends.
        """
        with self._lock:
            nested = self._depth > 0
            savepoint = f"sp{self._depth}"
            self._db.execute(f"SAVEPOINT {savepoint}" if nested else "BEGIN IMMEDIATE")
            self._depth += 1
            self.generation += 1
            try:
                yield Transaction(self._db, self._cache, self._indexes)
            except BaseException:
                self._depth -= 1
                if nested:
                    self._db.execute(f"ROLLBACK TO {savepoint}")
                    self._db.execute(f"RELEASE {savepoint}")
                else:
                    self._db.execute("ROLLBACK")
                self._cache.clear()
                self._indexes.clear()
                self.generation += 1
                raise
            self._depth -= 1
            self._db.execute(f"RELEASE {savepoint}" if nested else "COMMIT")
            self.generation += 1

    def rows(self, entity_set: str) -> list[Row]:
        """All rows of ``entity_set`` (the row source of the OData reader)."""
        with self.read() as tx:
            return tx.rows(entity_set)

    def find(
        self, entity_set: str, index: RowIndex, wanted: Iterable[tuple[Any, ...]]
    ) -> list[Row]:
        """The rows of ``entity_set`` in the ``wanted`` groups of ``index`` (copies)."""
        with self.read() as tx:
            return tx.find(entity_set, index, wanted)

    def is_current(self) -> bool:
        """Whether the database holds seeded data of the current schema version."""
        with self.read() as tx:
            return tx.meta("schema") == SCHEMA_VERSION and tx.meta("seeded") is not None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()
