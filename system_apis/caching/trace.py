"""``ReadTrace``: what a unit of work (one GraphQL operation) read through the cache.

While a trace is active (:func:`tracing`), every read of a :class:`CachingAdapter` notes on
it the cache versions its answer depends on and when that answer expires; a read that
bypassed the cache (reads that guard a write, change capture, sensitive data, a connection
whose kind is not cached, a degraded page, the cache unreachable) marks the trace
*uncacheable*. Whoever keeps a result built from those reads (the GraphQL result cache)
keeps it only while every noted version is unchanged and no longer than the earliest
expiry: exactly as long as each read would itself have been answered from the cache.

The trace is a context variable, so reads made by tasks the unit of work starts (DataLoader
batches) are noted on it too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class ReadTrace:
    versions: dict[str, str | None] = field(default_factory=dict)
    """Each version key read, with the token in force when it was read (None: unset)."""
    expires_at: float = math.inf
    """Wall-clock time after which one of the answers read is older than its TTL."""
    reads: int = 0
    cacheable: bool = True

    def depend(self, names: Sequence[str], tokens: Sequence[str | None]) -> None:
        self.reads += 1
        for name, token in zip(names, tokens, strict=True):
            # Two reads saw different tokens for one version: a change raced the work.
            if self.versions.setdefault(name, token) != token:
                self.cacheable = False

    def expires(self, at: float) -> None:
        self.expires_at = min(self.expires_at, at)


_current: ContextVar[ReadTrace | None] = ContextVar("read_trace", default=None)


@contextmanager
def tracing() -> Iterator[ReadTrace]:
    """Notes the cached reads made inside the block (and tasks it starts) on a fresh trace."""
    trace = ReadTrace()
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)


def current_trace() -> ReadTrace | None:
    return _current.get()


def not_cacheable() -> None:
    """The read being made bypasses the cache: what is built from it must not be kept."""
    trace = _current.get()
    if trace is not None:
        trace.cacheable = False
