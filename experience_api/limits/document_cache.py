"""Documents parsed and validated once per distinct query text, not once per request.

Clients send the same few query texts over and over; lexing them for the token limit,
parsing them and running graphql-core's validation rules each time cost more than executing
many queries. :class:`DocumentCache` keeps, for the most recently used query texts (a
bounded LRU: unique texts cannot grow it), the parsed document of a text that passed the
token and literal checks, and whether that document passed the rules that do not depend on
the request (every rule but the limits, which are priced with the request's variables and
so are checked on every request).

Only successes are kept: a text refused by a check, a document that does not parse or does
not validate goes the uncached way each time, with its errors produced afresh.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from graphql import DocumentNode

DEFAULT_SIZE = 256


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Lru(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class DocumentCache:
    """Parsed documents and static validation results of recently seen query texts."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._documents: _Lru[tuple[str, int], DocumentNode] = _Lru(size)
        self._valid: _Lru[tuple[object, str, int, tuple[object, ...]], bool] = _Lru(size)

    def document(self, query: str, max_tokens: int) -> DocumentNode | None:
        """The document ``query`` parsed to when it passed the checks, else None."""
        return self._documents.get((query, max_tokens))

    def remember(self, query: str, max_tokens: int, document: DocumentNode) -> None:
        """``query`` passed the token and literal checks and parsed to ``document``."""
        self._documents.put((query, max_tokens), document)

    def valid(
        self,
        schema: object,
        query: str,
        max_tokens: int,
        rules: tuple[object, ...],
        validate: Callable[[], bool],
    ) -> bool:
        """Whether the cached document of ``query`` passes ``rules`` on ``schema``;
        ``validate`` is called to find out when it is not known yet (a pass is kept)."""
        key = (schema, query, max_tokens, rules)
        if self._valid.get(key):
            return True
        passed = validate()
        if passed:
            self._valid.put(key, True)
        return passed
