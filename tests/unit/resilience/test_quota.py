"""The client-side quota: concurrency slots and request rate, retries included."""

from __future__ import annotations

import asyncio

import pytest

from system_apis.contracts import errors
from tests.unit.resilience.support import EVERYONE, FIRST, fail_times, wrap


async def test_no_more_calls_in_flight_than_the_concurrency_allows() -> None:
    adapter, erp, _ = wrap(max_concurrency=3)
    erp.gate = asyncio.Event()
    calls = [asyncio.create_task(adapter.list_customers(EVERYONE, FIRST)) for _ in range(10)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert erp.in_flight == 3
    erp.gate.set()
    pages = await asyncio.gather(*calls)
    assert len(pages) == 10
    assert erp.max_in_flight == 3
    assert erp.calls["list_customers"] == 10


async def test_without_a_concurrency_limit_every_call_goes_at_once() -> None:
    adapter, erp, _ = wrap(max_concurrency=None)
    erp.gate = asyncio.Event()
    calls = [asyncio.create_task(adapter.list_customers(EVERYONE, FIRST)) for _ in range(10)]
    await asyncio.sleep(0)
    assert erp.in_flight == 10
    erp.gate.set()
    await asyncio.gather(*calls)


async def test_the_rate_holds_calls_beyond_the_burst() -> None:
    # Three back to back, then one every 100 s: the fourth cannot start during this test.
    adapter, erp, _ = wrap(requests_per_second=0.01, burst=3)
    calls = [asyncio.create_task(adapter.list_customers(EVERYONE, FIRST)) for _ in range(5)]
    done, waiting = await asyncio.wait(calls, timeout=0.02)
    assert len(done) == 3
    assert erp.calls["list_customers"] == 3
    for call in waiting:
        call.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    assert adapter.counters.failures == 0


async def test_the_rate_applies_to_retries_too() -> None:
    adapter, erp, _ = wrap(requests_per_second=0.01, burst=1, read_attempts=2)
    fail_times(erp, "list_customers", 1, lambda: errors.Unavailable("connection refused"))
    call = asyncio.create_task(adapter.list_customers(EVERYONE, FIRST))
    done, _ = await asyncio.wait([call], timeout=0.02)
    assert not done
    assert erp.calls["list_customers"] == 1
    assert adapter.counters.retries == 1
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
