"""Degraded reads: the last good page of a list read, served while the circuit is open."""

from __future__ import annotations

import asyncio

import pytest

from system_apis.contracts import errors
from system_apis.contracts.queries import CustomerFilter, Page, PageRequest
from system_apis.resilience import CircuitOpen, staleness
from system_apis.resilience.stale import LastGoodPages
from tests.unit.resilience.support import EVERYONE, FIRST, FakeClock, wrap

OPEN_AFTER_ONE_FAILURE = {
    "read_attempts": 1,
    "breaker_min_calls": 1,
    "breaker_failure_ratio": 0,
    "breaker_open_seconds": 30,
}


async def test_an_open_circuit_serves_the_last_good_page_marked_stale() -> None:
    adapter, erp, clock = wrap(**OPEN_AFTER_ONE_FAILURE, stale_reads={"list_customers"})
    fresh = await adapter.list_customers(EVERYONE, FIRST)
    assert staleness(fresh) is None
    clock.advance(5)
    erp.fail_with["list_customers"] = lambda: errors.Unavailable("down")
    tripping = await adapter.list_customers(EVERYONE, FIRST)  # this failure opens the breaker
    assert staleness(tripping) == pytest.approx(5)
    clock.advance(2)
    stale = await adapter.list_customers(EVERYONE, FIRST)
    assert stale.stale_for is not None
    assert isinstance(stale, Page)
    assert stale.items == fresh.items
    assert (stale.offset, stale.total) == (fresh.offset, fresh.total)
    assert staleness(stale) == pytest.approx(7)
    assert adapter.counters.stale_reads == 2
    assert erp.calls["list_customers"] == 2


async def test_stale_pages_are_kept_per_filter_and_page() -> None:
    adapter, erp, _ = wrap(**OPEN_AFTER_ONE_FAILURE, stale_reads={"list_customers"})
    await adapter.list_customers(EVERYONE, FIRST)
    erp.fail_with["list_customers"] = lambda: errors.Unavailable("down")
    assert staleness(await adapter.list_customers(EVERYONE, FIRST)) is not None
    with pytest.raises(CircuitOpen):
        await adapter.list_customers(CustomerFilter(country="FR"), FIRST)
    with pytest.raises(CircuitOpen):
        await adapter.list_customers(EVERYONE, PageRequest(offset=10, limit=10))


async def test_reads_not_named_in_the_policy_are_never_served_stale() -> None:
    adapter, erp, _ = wrap(**OPEN_AFTER_ONE_FAILURE)
    await adapter.list_customers(EVERYONE, FIRST)
    erp.fail_with["list_customers"] = lambda: errors.Unavailable("down")
    with pytest.raises(errors.Unavailable):
        await adapter.list_customers(EVERYONE, FIRST)
    with pytest.raises(CircuitOpen):
        await adapter.list_customers(EVERYONE, FIRST)


async def test_a_page_older_than_the_limit_is_not_served() -> None:
    adapter, erp, clock = wrap(
        **{**OPEN_AFTER_ONE_FAILURE, "breaker_open_seconds": 3600},
        stale_reads={"list_customers"},
        stale_max_age=60,
    )
    await adapter.list_customers(EVERYONE, FIRST)
    erp.fail_with["list_customers"] = lambda: errors.Unavailable("down")
    assert staleness(await adapter.list_customers(EVERYONE, FIRST)) == 0
    clock.advance(61)
    with pytest.raises(CircuitOpen):
        await adapter.list_customers(EVERYONE, FIRST)


async def test_a_failure_while_closed_is_not_hidden_by_the_cache() -> None:
    adapter, erp, _ = wrap(read_attempts=1, stale_reads={"list_customers"})
    await adapter.list_customers(EVERYONE, FIRST)
    erp.fail_with["list_customers"] = lambda: errors.Unavailable("down")
    with pytest.raises(errors.Unavailable, match="down"):
        await adapter.list_customers(EVERYONE, FIRST)


def test_the_cache_keeps_the_most_recently_stored_pages() -> None:
    cache = LastGoodPages(size=2, max_age=60, clock=FakeClock())
    empty: Page[object] = Page(items=(), offset=0, total=0)
    for country in ("DE", "FR", "IT"):
        cache.store("list_customers", CustomerFilter(country=country), FIRST, empty)
    assert len(cache) == 2
    assert cache.lookup("list_customers", CustomerFilter(country="DE"), FIRST) is None
    assert cache.lookup("list_customers", CustomerFilter(country="IT"), FIRST) is not None


async def test_calls_refused_while_a_probe_runs_are_served_stale() -> None:
    adapter, erp, clock = wrap(**OPEN_AFTER_ONE_FAILURE, stale_reads={"list_customers"})
    await adapter.list_customers(EVERYONE, FIRST)
    erp.fail_with["list_customers"] = lambda: errors.Unavailable("down")
    await adapter.list_customers(EVERYONE, FIRST)
    clock.advance(30)
    erp.fail_with.clear()
    erp.gate = asyncio.Event()
    probe = asyncio.create_task(adapter.list_customers(EVERYONE, FIRST))
    await asyncio.sleep(0)
    assert staleness(await adapter.list_customers(EVERYONE, FIRST)) is not None
    erp.gate.set()
    assert staleness(await probe) is None
