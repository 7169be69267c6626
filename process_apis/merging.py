"""Paging one list across several ERP connections.

A position is how far the client has read in each connection's own stable order. A page
asks every connection for up to ``limit`` records from its position, merges the heads by a
key that agrees with every connection's own order, and keeps the first ``limit``: no record
is skipped or repeated from page to page, whatever the connections hold, and a page costs
one call per connection.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from system_apis.contracts.queries import Page, PageRequest

T = TypeVar("T")
Position = Mapping[str, int]


@dataclass(frozen=True)
class Window:
    """Up to ``limit`` records after ``start`` (offsets per connection; absent means 0)."""

    limit: int
    start: Position = field(default_factory=dict)

    def offset(self, connection: str) -> int:
        return self.start.get(connection, 0)


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
        return any(offset > 0 for offset in self.start.values())


async def merge(
    connections: Sequence[str],
    window: Window,
    fetch: Callable[[str, PageRequest], Awaitable[Page[T]]],
    key: Callable[[T], Any] | None = None,
) -> MergedPage[T]:
    """One page across ``connections``; ``key`` None keeps connection order (one after another)."""
    pages = await asyncio.gather(
        *(
            fetch(name, PageRequest(offset=window.offset(name), limit=window.limit))
            for name in connections
        )
    )
    start = {name: window.offset(name) for name in connections}
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
    consumed = dict.fromkeys(connections, 0)
    items: list[T] = []
    positions: list[Position] = []
    for _, name, item in taken:
        consumed[name] += 1
        items.append(item)
        positions.append({n: start[n] + consumed[n] for n in connections})
    totals = {name: page.total for name, page in zip(connections, pages, strict=True)}
    return MergedPage(
        items=tuple(items),
        positions=tuple(positions),
        start=start,
        total=sum(totals.values()),
        has_next=any(start[n] + consumed[n] < totals[n] for n in connections),
        stale_for=max((p.stale_for for p in pages if p.stale_for is not None), default=None),
    )
