"""Two replicas share whole GraphQL results on a real Redis: a result one replica kept
answers the other, and a write through one replica drops it for both."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as redis
from strawberry.types import ExecutionResult

from experience_api.result_cache import ResultCache
from experience_api.schema import build_context, build_schema
from experience_api.security.principal import internal_principal
from system_apis.caching import CachePolicy, CachingAdapter, ResponseCache
from tests.fakes.memory_erp import MemoryErp
from tests.support.services import HOST, REDIS_PORT, require
from tests.unit.cache.support import seeded_erp
from tests.unit.graphql.support import data, make_services

URL = f"redis://{HOST}:{REDIS_PORT}/0"
STOCK = '{ products(filter: {skus: ["TG11"]}) { nodes { name stock { quantity { value } } } } }'
PLACE = """mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { errors { message } order { number } } }"""
ORDERS = "{ salesOrders(first: 20) { nodes { number lines { sku } } } }"


@dataclasses.dataclass
class Replica:
    cache: ResponseCache
    results: ResultCache
    run: Any


@pytest.fixture
async def replicas() -> AsyncIterator[tuple[MemoryErp, Replica, Replica]]:
    require(REDIS_PORT, "Redis")
    prefix = f"test-{uuid.uuid4().hex}"
    erp = seeded_erp()
    schema = build_schema()
    made = []
    for _ in range(2):
        cache = ResponseCache.redis(URL, prefix=prefix, version_ttl=60)
        results = ResultCache(cache, prefix=prefix)
        services = dataclasses.replace(
            make_services({"EU01": CachingAdapter(erp, cache, CachePolicy())}),
            result_cache=results,
        )

        async def run(
            query: str, variables: dict[str, Any] | None = None, services: Any = services
        ) -> ExecutionResult:
            context = build_context(services, principal=internal_principal())
            return await schema.execute(query, variable_values=variables, context_value=context)

        made.append(Replica(cache, results, run))
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


async def kept(replica: Replica, query: str) -> bool:
    key = replica.results.key(query, None, None, internal_principal())
    return await replica.results.get(key) is not None


async def test_a_result_kept_by_one_replica_answers_the_other(
    replicas: tuple[MemoryErp, Replica, Replica],
) -> None:
    erp, one, other = replicas
    first = data(await one.run(STOCK))
    assert await kept(other, STOCK)
    calls = sum(erp.calls.values())

    assert data(await other.run(STOCK)) == first
    assert sum(erp.calls.values()) == calls


async def test_a_write_through_one_replica_drops_the_result_for_both(
    replicas: tuple[MemoryErp, Replica, Replica],
) -> None:
    _, one, other = replicas
    assert data(await other.run(ORDERS))["salesOrders"]["nodes"] == []
    order = {
        "idempotencyKey": "redis-1",
        "customerId": "EU01:1",
        "lines": [{"sku": "TG11", "quantity": "2"}],
    }
    placed = data(await one.run(PLACE, {"input": order}))["placeOrder"]
    assert placed["errors"] == []

    assert not await kept(other, ORDERS)
    [node] = data(await other.run(ORDERS))["salesOrders"]["nodes"]
    assert node["number"] == placed["order"]["number"]
