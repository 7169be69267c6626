"""Two replicas share the response cache on a real Redis: what one caches the other is
answered from, and what one invalidates (a write, an event) the other reads fresh."""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
import redis.asyncio as redis

from process_apis.events.model import Event, EventType
from process_apis.read_cache import CacheInvalidation
from system_apis.caching import CachePolicy, CachingAdapter, ResponseCache
from system_apis.contracts.commands import StockAdjustment
from system_apis.contracts.queries import InventoryFilter, PageRequest, SalesOrderFilter
from tests.fakes.memory_erp import MemoryErp
from tests.support.services import HOST, REDIS_PORT, require
from tests.unit.cache.support import draft, seeded_erp

URL = f"redis://{HOST}:{REDIS_PORT}/0"
PAGE = PageRequest(limit=50)
GADGET = InventoryFilter(skus=["TG11"])


@dataclass
class Replica:
    cache: ResponseCache
    adapter: CachingAdapter


@pytest.fixture
async def replicas() -> AsyncIterator[tuple[MemoryErp, Replica, Replica]]:
    """One ERP and two replicas in front of it, each with its own client of one Redis."""
    require(REDIS_PORT, "Redis")
    prefix = f"test-{uuid.uuid4().hex}"
    erp = seeded_erp()
    made = []
    for _ in range(2):
        cache = ResponseCache.redis(URL, prefix=prefix, version_ttl=60)
        made.append(Replica(cache, CachingAdapter(erp, cache, CachePolicy())))
    try:
        yield erp, made[0], made[1]
    finally:
        for replica in made:
            await replica.cache.aclose()
        server = redis.Redis(host=HOST, port=REDIS_PORT)
        keys = [key async for key in server.scan_iter(match=f"{prefix}:*")]
        if keys:
            await server.delete(*keys)
        await server.aclose()


async def test_an_answer_cached_by_one_replica_serves_the_other(
    replicas: tuple[MemoryErp, Replica, Replica],
) -> None:
    erp, a, b = replicas
    await a.adapter.create_sales_order(draft())
    from_erp = await a.adapter.list_sales_orders(SalesOrderFilter(), PAGE)
    from_redis = await b.adapter.list_sales_orders(SalesOrderFilter(), PAGE)

    assert from_redis == from_erp
    assert erp.calls["list_sales_orders"] == 1


async def test_a_write_on_one_replica_is_seen_fresh_by_the_other(
    replicas: tuple[MemoryErp, Replica, Replica],
) -> None:
    erp, a, b = replicas
    await a.adapter.list_inventory(GADGET, PAGE)
    await b.adapter.adjust_stock(
        StockAdjustment(sku="TG11", location="1010", quantity=Decimal(-5), unit="PC", reference="R")
    )

    [level] = (await a.adapter.list_inventory(GADGET, PAGE)).items

    assert level.quantity.value == 45
    assert erp.calls["list_inventory"] == 2


async def test_an_event_relayed_by_one_replica_drops_the_entry_for_both(
    replicas: tuple[MemoryErp, Replica, Replica],
) -> None:
    erp, a, b = replicas
    await a.adapter.list_inventory(GADGET, PAGE)
    erp.stock[("TG11", "1010")] = Decimal(12)  # a goods movement posted in the ERP
    changed = Event(
        type=EventType.INVENTORY_CHANGED,
        aggregate="stock:EU01:TG11@1010",
        connection="EU01",
        occurred_at=dt.datetime.now(dt.UTC),
        data={"sku": "TG11"},
    )
    await CacheInvalidation(b.cache).publish([changed])

    [level] = (await a.adapter.list_inventory(GADGET, PAGE)).items
    [again] = (await b.adapter.list_inventory(GADGET, PAGE)).items

    assert level.quantity.value == again.quantity.value == 12
    assert erp.calls["list_inventory"] == 2


async def test_an_unreachable_redis_leaves_every_read_to_the_erp() -> None:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    cache = ResponseCache.redis(f"redis://{HOST}:{port}/0", timeout=0.2)
    erp = seeded_erp()
    adapter = CachingAdapter(erp, cache, CachePolicy())
    try:
        first = await adapter.list_inventory(GADGET, PAGE)
        await adapter.adjust_stock(
            StockAdjustment(
                sku="TG11", location="1010", quantity=Decimal(1), unit="PC", reference="R"
            )
        )
        second = await adapter.list_inventory(GADGET, PAGE)
    finally:
        await cache.aclose()

    assert [first.items[0].quantity.value, second.items[0].quantity.value] == [50, 51]
    assert erp.calls["list_inventory"] == 2
