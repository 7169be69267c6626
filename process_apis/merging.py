"""Paging one list across several ERP connections.

A position is how far the client has read in each connection's own stable order: the page
key of the last record read there (:mod:`system_apis.contracts.keyset`), or an offset for a
list read without keys. A page asks every connection for up to ``limit`` records after its
position, merges the heads by a key that agrees with every connection's own order, and keeps
the first ``limit``: no record is skipped or repeated from page to page, whatever the
connections hold, and a page costs one call per connection. With keys, records created or
removed before a position while the client pages do not move it either.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from system_apis.contracts.keyset import KeyOf
from system_apis.contracts.queries import Page, PageRequest

T = TypeVar("T")
Mark = int | str
"""Where a reader stands in one connection: a page key (str) or an offset (int)."""
Position = Mapping[str, Mark]


@dataclass(frozen=True)
class Window:
    """Up to ``limit`` records after ``start`` (per connection; absent: from the first)."""

    limit: int
    start: Position = field(default_factory=dict)

    def request(self, connection: str) -> PageRequest:
        mark = self.start.get(connection, 0)
        if isinstance(mark, str):
            return PageRequest(after=mark, limit=self.limit)
        return PageRequest(offset=mark, limit=self.limit)


@dataclass(frozen=True)
class MergedPage(Generic[T]):
    """Records in merged order; ``positions[i]`` is the position just after ``items[i]``."""

    items: tuple[T, ...]
    positions: tuple[Position, ...]
    start: Position
    total: int
    has_next: bool
    stale_for: float | None = None
    """Age in seconds of the oldest page served from a cache, None when all were read live."""

    @property
    def has_previous(self) -> bool:
        return any(isinstance(mark, str) or mark > 0 for mark in self.start.values())


async def merge(
    connections: Sequence[str],
    window: Window,
    fetch: Callable[[str, PageRequest], Awaitable[Page[T]]],
    key: Callable[[T], Any] | None = None,
    page_key: KeyOf[T] | None = None,
) -> MergedPage[T]:
    """One page across ``connections``; ``key`` None keeps connection order (one after another).

    ``page_key`` gives each record's page key: positions are then keys, else offsets.
    """
    pages = await asyncio.gather(*(fetch(name, window.request(name)) for name in connections))
    start = {name: window.start[name] for name in connections if name in window.start}
    rank = {name: index for index, name in enumerate(connections)}

    def sort_key(name: str, index: int, item: T) -> tuple[Any, ...]:
        primary = rank[name] if key is None else key(item)
        return (primary, rank[name], index)

    # heapq.merge takes each connection's records strictly in that connection's order, so
    # what a page takes from a connection is always a prefix: positions stay exact.
    streams = [
        [(sort_key(name, index, item), name, item) for index, item in enumerate(page.items)]
        for name, page in zip(connections, pages, strict=True)
    ]
    taken = list(itertools.islice(heapq.merge(*streams, key=lambda head: head[0]), window.limit))
    by_name = dict(zip(connections, pages, strict=True))
    consumed = dict.fromkeys(connections, 0)
    current: dict[str, Mark] = dict(start)
    items: list[T] = []
    positions: list[Position] = []
    for _, name, item in taken:
        consumed[name] += 1
        items.append(item)
        if page_key is None:
            current[name] = by_name[name].offset + consumed[name]
        else:
            current[name] = page_key(item)
        positions.append(dict(current))
    return MergedPage(
        items=tuple(items),
        positions=tuple(positions),
        start=start,
        total=sum(page.total for page in pages),
        has_next=any(by_name[n].offset + consumed[n] < by_name[n].total for n in connections),
        stale_for=max((p.stale_for for p in pages if p.stale_for is not None), default=None),
    )
