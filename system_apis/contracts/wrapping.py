"""``AdapterWrapper``: what every wrapper of the port passes through unchanged.

A wrapper (the response cache, the resilience guard) is itself an
:class:`~system_apis.contracts.port.ErpAdapter` around another one, its ``inner``. Who the
connection is, what it can do, how long its references may be and closing it are the inner
adapter's in every wrapper, so they live here once. The port's calls do not: each wrapper
writes every one of them, so that a call added to the port is a type error on each wrapper
until it decides what the call means there, rather than slipping past a guard unnoticed.

Code that needs one wrapper of a connection's chain (its circuit breaker, say) finds it with
:func:`find_wrapper`, which walks ``inner`` and needs no knowledge of the order they are in.
"""

from __future__ import annotations

from typing import TypeVar

from system_apis.contracts.limits import FieldLimits
from system_apis.contracts.models import Source
from system_apis.contracts.port import Capability, ErpAdapter

W = TypeVar("W")


class AdapterWrapper:
    """Base of the adapters that add behaviour around ``inner``, another :class:`ErpAdapter`."""

    def __init__(self, inner: ErpAdapter) -> None:
        self._inner = inner

    @property
    def inner(self) -> ErpAdapter:
        """The adapter this one wraps."""
        return self._inner

    @property
    def source(self) -> Source:
        return self._inner.source

    @property
    def capabilities(self) -> frozenset[Capability]:
        return self._inner.capabilities

    @property
    def limits(self) -> FieldLimits:
        return self._inner.limits

    async def aclose(self) -> None:
        await self._inner.aclose()


def find_wrapper(adapter: ErpAdapter, kind: type[W]) -> W | None:
    """The outermost ``kind`` on the chain from ``adapter`` (itself included) inward through
    each wrapper's ``inner``; ``None`` when the chain has none."""
    current: object = adapter
    while not isinstance(current, kind):
        if not isinstance(current, AdapterWrapper):
            return None
        current = current.inner
    return current
