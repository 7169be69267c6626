"""Degraded reads: the last page each list read returned, served while the circuit is open.

A page served this way says how old it is in ``Page.stale_for`` (seconds), so callers up to
the GraphQL API can tell clients the data is not live.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from system_apis.contracts.queries import Page, PageRequest


def staleness(page: Page[Any]) -> float | None:
    """Seconds since the ERP returned ``page`` when it is stale, None when it is fresh."""
    return page.stale_for


@dataclass(frozen=True)
class _Entry:
    page: Page[Any]
    stored_at: float


class LastGoodPages:
    """Bounded cache of list pages keyed by method, filter and page request.

    Entries older than ``max_age`` are never served: data that old is worse than an honest
    "unavailable". The least recently stored entry goes first when the cache is full.
    """

    def __init__(self, *, size: int, max_age: float, clock: Callable[[], float]) -> None:
        self._size = size
        self._max_age = max_age
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def store(self, method: str, filter: BaseModel, request: PageRequest, page: Page[Any]) -> None:
        key = _key(method, filter, request)
        self._entries[key] = _Entry(page, self._clock())
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def lookup(self, method: str, filter: BaseModel, request: PageRequest) -> Page[Any] | None:
        """The cached page marked stale, or None when there is none young enough."""
        entry = self._entries.get(_key(method, filter, request))
        if entry is None:
            return None
        age = self._clock() - entry.stored_at
        if age > self._max_age:
            return None
        page = entry.page
        return page.model_copy(update={"stale_for": age})


def _key(method: str, filter: BaseModel, request: PageRequest) -> tuple[str, str, str]:
    # Filters hold sequences (unhashable); their JSON is a stable, hashable stand-in.
    return (method, filter.model_dump_json(), request.model_dump_json())
