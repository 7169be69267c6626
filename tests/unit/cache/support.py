"""A seeded in-memory ERP behind a CachingAdapter on an in-memory cache with a fake clock."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from system_apis.caching import CachePolicy, CachingAdapter, ResponseCache
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import InventoryFilter, PageRequest, ProductFilter
from tests.fakes.memory_erp import MemoryErp

PAGE = PageRequest(limit=50)
GADGET = InventoryFilter(skus=["TG11"])
WIDGET = InventoryFilter(skus=["TG12"])
PRODUCTS = ProductFilter()


class WallClock:
    """Wall-clock seconds that only move when a test moves them."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Cached:
    erp: MemoryErp
    adapter: CachingAdapter
    cache: ResponseCache
    clock: WallClock


def seeded_erp(connection: str = "EU01") -> MemoryErp:
    erp = MemoryErp(connection)
    erp.add_customer("1", "Alpha GmbH")
    erp.add_product("TG11", "Gadget", "10.00", {"1010": "50"})
    erp.add_product("TG12", "Widget", "4.00", {"1010": "8"})
    return erp


def cached(policy: CachePolicy | None = None, erp: MemoryErp | None = None) -> Cached:
    clock = WallClock()
    cache = ResponseCache.in_memory(clock=clock)
    erp = erp or seeded_erp()
    adapter = CachingAdapter(erp, cache, policy or CachePolicy(), clock=clock)
    return Cached(erp, adapter, cache, clock)


def draft(sku: str = "TG11", quantity: int = 2) -> SalesOrderDraft:
    return SalesOrderDraft(
        customer_native_id="1",
        lines=(OrderLineDraft(sku=sku, quantity=Decimal(quantity), location="1010"),),
    )
