"""The wrappers of the port: what they pass through, and finding one on a connection's chain."""

from __future__ import annotations

from system_apis.caching import CachePolicy, CachingAdapter, ResponseCache
from system_apis.contracts.limits import FieldLimits
from system_apis.contracts.port import Capability, ErpAdapter
from system_apis.contracts.wrapping import find_wrapper
from system_apis.resilience import ResiliencePolicy, ResilientAdapter
from tests.fakes.memory_erp import MemoryErp


class ReadOnlyErp(MemoryErp):
    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset({Capability.READ_CUSTOMERS})


async def test_a_chain_of_wrappers_is_the_connection_it_wraps() -> None:
    erp = ReadOnlyErp("EU01")
    erp.limits = FieldLimits(order_reference=20)
    cache = ResponseCache.in_memory()
    adapter: ErpAdapter = CachingAdapter(
        ResilientAdapter(erp, ResiliencePolicy()), cache, CachePolicy()
    )
    try:
        assert adapter.source == erp.source
        assert adapter.capabilities == {Capability.READ_CUSTOMERS}
        assert adapter.limits.order_reference == 20
    finally:
        await adapter.aclose()
        await cache.aclose()
    assert erp.closed


async def test_the_breaker_is_found_behind_the_cache_and_nowhere_else() -> None:
    erp = MemoryErp("EU01")
    resilient = ResilientAdapter(erp, ResiliencePolicy())
    cache = ResponseCache.in_memory()
    cached = CachingAdapter(resilient, cache, CachePolicy())
    try:
        assert find_wrapper(cached, ResilientAdapter) is resilient
        assert find_wrapper(resilient, ResilientAdapter) is resilient
        assert find_wrapper(cached, CachingAdapter) is cached
        assert find_wrapper(resilient, CachingAdapter) is None
        assert find_wrapper(erp, ResilientAdapter) is None
        assert find_wrapper(CachingAdapter(erp, cache, CachePolicy()), ResilientAdapter) is None
    finally:
        await cache.aclose()
